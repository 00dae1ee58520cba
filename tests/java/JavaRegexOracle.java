// The reference for the selection-pattern differential test: reads lines of
// "HEX(pattern) HEX(input)" (UTF-8, hex so any character survives), answers per line
// "M" (Pattern.matches is true), "N" (false) or "E" (PatternSyntaxException), as
// API Gateway's Java regular expressions would.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

public class JavaRegexOracle {
    static String unhex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            String[] parts = line.split(" ", -1);
            String pattern = unhex(parts[0]);
            String input = parts.length > 1 ? unhex(parts[1]) : "";
            try {
                out.append(Pattern.matches(pattern, input) ? "M" : "N");
            } catch (PatternSyntaxException e) {
                out.append("E");
            } catch (StackOverflowError e) {
                out.append("S");
            }
            out.append('\n');
        }
        System.out.print(out);
    }
}
