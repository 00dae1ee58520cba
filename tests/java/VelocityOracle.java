// Renders every *.vtl file of a folder with the real Apache Velocity 1.7 (Debian's package
// `velocity`), an empty context, and writes NAME.out (the output) or NAME.err (the error).
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;
import java.io.File;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

public class VelocityOracle {
    public static void main(String[] args) throws Exception {
        VelocityEngine engine = new VelocityEngine();
        engine.setProperty("runtime.log.logsystem.class",
                "org.apache.velocity.runtime.log.NullLogChute");
        engine.init();
        File[] files = new File(args[0]).listFiles((d, n) -> n.endsWith(".vtl"));
        java.util.Arrays.sort(files);
        for (File f : files) {
            String text = new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8);
            String base = f.getPath().substring(0, f.getPath().length() - 4);
            try {
                StringWriter out = new StringWriter();
                engine.evaluate(new VelocityContext(), out, f.getName(), text);
                Files.write(Paths.get(base + ".out"), out.toString().getBytes(StandardCharsets.UTF_8));
            } catch (Throwable e) {
                String message = String.valueOf(e).split("\n")[0];
                Files.write(Paths.get(base + ".err"), message.getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
