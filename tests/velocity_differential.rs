//! Differential test of the template engine's core language against the real Apache
//! Velocity 1.7 (Debian's package `velocity`, which scripts/test.sh installs), driven by
//! tests/java/VelocityOracle.java: hand-written templates for each construct and a few
//! hundred generated ones (directives, whitespace, arithmetic, comparisons, strings, maps,
//! lists, loops). The engine runs with plain Velocity's null rule here; API Gateway's own
//! rules are tested end to end in tests/cli_template.rs.
use apigw_doctor::checks::template::eval::{Env, Input, NullRule, render};
use apigw_doctor::checks::template::parse::parse;
use apigw_doctor::checks::template::value::Value;
use std::path::Path;
use std::process::Command;

const JARS: &[&str] = &[
    "/usr/share/java/velocity-1.7.jar",
    "/usr/share/java/commons-collections3.jar",
    "/usr/share/java/commons-lang.jar",
];

const HAND_WRITTEN: &[&str] = &[
    // Whitespace: a directive ending its line takes the newline; indentation stays.
    "#set($a = 1)\nx\n  #set($b = 2)\ny\n  #if(true)\n  in\n  #end\nz\n",
    "a#if(true) b #end c\n#foreach($i in [1..3])$i,#end\n",
    "#set($a = 1)   \nafter trailing spaces\n",
    "#if(true)\r\nwindows\r\n#end\r\n",
    "#if(true)x#else y#end|#if(false)x#{else}y#end\n",
    "line1\n## a comment\nline2 ## trailing comment\nline3\n#* block\ncomment *#line4\n",
    "#[[ #set($x = 1) $x ]]# done\n",
    "no newline at the end #if(true)yes#end",
    // References.
    "$missing $!missing ${missing} $!{missing} $a.b \\$missing\n",
    "#set($a = \"v\")$a ${a}x $!a \\$a \\\\$a\n",
    "#set($m = {\"a\": 1, \"b\": [1, \"x\"], \"c\": {\"d\": true}})$m $m.a $m.b $m.c.d $m.get(\"a\") $m.size()\n",
    "#set($l = [1, 2.5, \"s\", true, [3]])$l $l.size() $l.get(0) $l[1] $l[4][0]\n",
    "#set($e = {})$e #set($z = [])$z $z.size() $z.isEmpty()\n",
    "$a.b.c $a-b $email@example.com $100 $ alone $.x #notadirective #end-ish\n",
    "#set($key-name = 3)$key-name $key-name-x\n",
    // Strings.
    "#set($s = \"Hello, World\")$s.length() $s.toUpperCase() $s.toLowerCase() $s.substring(7) $s.substring(0, 5)\n",
    "#set($s = \"a,b,,c\")$s.indexOf(\",\") $s.lastIndexOf(\",\") $s.contains(\"b\") $s.startsWith(\"a\") $s.endsWith(\"c\") $s.replace(\",\", \";\")\n",
    "#set($s = \"  trim me  \")[$s.trim()] $s.isEmpty() $s.equals(\"x\") $s.charAt(2)\n",
    "#set($s = 'single $quoted')$s #set($t = \"double $s\")$t\n",
    "#set($s = \"x\\'y\")$s $s.length()\n",
    "#set($s = \"abc123def\")$s.replaceAll(\"[0-9]+\", \"-\") $s.replaceAll(\"([a-z]+)\", \"<$1>\") $s.matches(\"[a-z0-9]+\") $s.replaceFirst(\"[a-z]\", \"Z\")\n",
    "#set($s = \"a1b2c3\")#foreach($p in $s.split(\"[0-9]\"))[$p]#end\n",
    // Arithmetic.
    "#set($a = 7 / 2)$a #set($b = 7 % 3)$b #set($c = -7 / 2)$c #set($d = 1.5 * 2)$d #set($e = 10 / 4.0)$e\n",
    "#set($a = 5)#set($a = 5 / 0)$a #set($b = 2 + 3 * 4)$b #set($c = (2 + 3) * 4)$c #set($d = 2 - 3 - 4)$d\n",
    "#set($big = 2147483647 + 1)$big #set($neg = -5)$neg #set($f = 0.1 + 0.2)$f #set($g = 1.0E20 * 10)$g\n",
    "#set($s = \"n=\" + 5)$s #set($t = 5 + \"x\")$t #set($u = 1.0 + 1)$u\n",
    "#set($x = 3)#set($y = $x * $x + 1)$y #set($z = $x / 2 * 2)$z\n",
    // Comparisons and logic.
    "#if(1 == 1.0)eq#end #if(1 < 2)lt#end #if(2 >= 2)ge#end #if(\"a\" == \"a\")s#end #if(\"1\" == 1)mixed#end\n",
    "#if(true && false)a#elseif(false || true)b#else c#end #if(!false)not#end #if(1 lt 2 and 2 gt 1)words#end\n",
    "#if($missing)m#else nm#end #if(\"\")empty-is-true#end #if(0)zero-is-true#end #if($missing == $missing)same#end\n",
    "#set($a = 1)#if($a != 2)ne#end #if($a == 1 && ($a < 0 || $a > 0))nested#end #if(not $a == 2)nw#end\n",
    "#if(true == \"true\")bool-text#end #if([1] == [1])lists#end #if({\"a\":1} == {\"a\":1})maps#end\n",
    // Loops.
    "#foreach($i in [1, 2, 3])$foreach.count:$foreach.index:$foreach.hasNext:$velocityCount #end\n",
    "#foreach($i in [1..5])#if($i == 3)#break#end$i#end|#foreach($i in [3..1])$i#end\n",
    "#set($m = {\"x\": 1, \"y\": 2})#foreach($v in $m)$v#end #foreach($k in $m.keySet())$k=$m.get($k);#end\n",
    "#foreach($e in {\"x\": 1, \"y\": 2}.entrySet())$e.key=$e.value #end\n",
    "#set($i = \"outer\")#foreach($i in [1, 2])$i#end $i\n",
    "#foreach($a in [1, 2])#foreach($b in [\"x\", \"y\"])$a$b$foreach.count #end#end\n",
    "#foreach($i in [])never#end#foreach($i in $missing)never#end done\n",
    "{\n#foreach($item in [1, 2, 3])\n  \"n$item\": $item#if($foreach.hasNext),#end\n#end\n}\n",
    "#set($l = [])#foreach($i in [1..3])#set($ignore = $l.add($i))#end$l\n",
    "#set($m = {})#set($ignore = $m.put(\"k\", \"v\"))$m #set($m.k2 = \"v2\")$m\n",
    "before #stop after\n",
    // Maps and lists printed in strings.
    "#set($m = {\"a\": [1, {\"b\": 2}]})#set($s = \"$m\")$s\n",
    "#set($x = \"${missing}text\")$x\n",
    // Strings built in a loop (appended in place when not shared): a copy taken before keeps
    // its value, the old value is what the rest of the string sees, a non-string is not
    // appended to, and an undefined one prints its own name.
    "#set($s = \"\")#foreach($i in [1..5])#set($s = \"$s$i,\")#end$s $s.length()\n",
    "#set($s = \"a\")#set($t = $s)#set($s = \"${s}b\")#set($u = $s)#set($s = \"${s}c\")$s $t $u\n",
    "#set($s = \"x\")#set($s = \"$s[$s.length()]$s\")$s\n",
    "#set($n = 5)#set($n = \"$n!\")$n #set($l = [1])#set($l = \"$l+\")$l\n",
    "#set($z = \"$undefinedvar tail\")$z #set($q = \"\\$s more\")$q\n",
    // A loop calling string methods with the same patterns, and with 300 distinct ones.
    "#foreach($s in [\"baab\", \"aaa\", \"b\", \"a1a\"])$s.replaceAll('a+', '1').replaceAll('[0-9]', '#')|#end\n#foreach($n in [1..300])#set($xx = \"xx\")#set($r = $xx.replaceAll(\"x{$n}\", \"y\"))#if($n < 3 || $n > 298)$r,#end#end\n",
    // A map larger than the engine's unindexed size: order kept through put, remove and set.
    "#set($m = {\"k1\": 1, \"k2\": 2, \"k3\": 3, \"k4\": 4, \"k5\": 5, \"k6\": 6, \"k7\": 7, \"k8\": 8, \"k9\": 9, \"k10\": 10, \"k11\": 11, \"k12\": 12})#set($ignore = $m.remove(\"k3\"))#set($ignore = $m.put(\"k1\", \"one\"))#set($m.k13 = 13)$m $m.size() $m.containsKey(\"k3\") $m.get(\"k12\") $m.k9\n",
    "#set($m = {\"k\": \"v\"})#set($s = \"-\")#foreach($i in [1..3])#set($s = \"$s$m.k$foreach.count\")#end$s\n",
];

fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Generated templates: random compositions of the constructs above.
fn generated(count: usize) -> Vec<String> {
    let seed = std::cell::Cell::new(0x5eed_1234_u64);
    let next = || {
        let mut s = seed.get();
        let v = xorshift(&mut s);
        seed.set(s);
        v
    };
    let pick = |choices: &[&str]| -> String {
        choices[(next() % choices.len() as u64) as usize].to_string()
    };
    let literals = [
        "1",
        "7",
        "-3",
        "2.5",
        "0",
        "100",
        "\"s\"",
        "'q'",
        "\"a b\"",
        "true",
        "false",
        "[1, 2, 3]",
        "[1..4]",
        "{\"k\": 1, \"j\": \"v\"}",
        "[\"x\", [1]]",
        "\"\"",
    ];
    let ops = ["+", "-", "*", "/", "%"];
    let cmps = ["==", "!=", "<", ">", "<=", ">=", "eq", "ne"];
    let mut out = Vec::new();
    for _ in 0..count {
        let mut t = String::new();
        let n = 2 + (next() % 5) as usize;
        for _ in 0..n {
            let indent = pick(&["", "", "  ", "\t"]);
            let piece = match next() % 9 {
                0 => format!("{indent}#set($a = {})\n", pick(&literals)),
                1 => format!(
                    "{indent}#set($b = {} {} {})\n",
                    pick(&["1", "7", "2.5", "-4", "$a"]),
                    pick(&ops),
                    pick(&["2", "3", "0", "1.5", "$a"])
                ),
                2 => format!("{indent}[$a|$!b|${{a}}|$missing]\n"),
                3 => format!(
                    "{indent}#if({} {} {})yes#elseif({})mid#{{else}}no#end\n",
                    pick(&["$a", "$b", "1", "\"s\"", "$missing"]),
                    pick(&cmps),
                    pick(&["$a", "$b", "2", "\"s\"", "1.0"]),
                    pick(&["true", "false", "$a", "!$b"])
                ),
                4 => format!(
                    "{indent}#foreach($i in {})$i$foreach.count#if($foreach.hasNext),#end#end\n",
                    pick(&["[1..3]", "[\"x\", \"y\"]", "{\"k\": 1}", "[]", "$a"])
                ),
                5 => format!(
                    "{indent}$a.{}\n",
                    pick(&[
                        "size()",
                        "length()",
                        "toString()",
                        "isEmpty()",
                        "get(0)",
                        "keySet()",
                        "toUpperCase()",
                        "substring(1)"
                    ])
                ),
                6 => format!(
                    "{indent}text {} more\n",
                    pick(&["##c", "#*x*#", "\\$a", "$!{a}x", "#[[$raw]]#"])
                ),
                7 => format!(
                    "{indent}#set($s = \"v=$a\")$s #set($l = [$a, {}])$l\n",
                    pick(&literals)
                ),
                _ => format!("{indent}#if($a)T#end#if(!$a)F#end\n"),
            };
            t.push_str(&piece);
        }
        out.push(t);
    }
    out
}

fn ours(text: &str) -> Result<String, String> {
    let nodes = parse(text).map_err(|e| e.to_string())?;
    let env = Env {
        null_rule: NullRule::Velocity,
        input: Input::default(),
        context: Value::Null,
        stage_variables: Value::Null,
        max_iterations: usize::MAX,
    };
    render(&nodes, &env)
        .map(|r| r.output)
        .map_err(|e| format!("{e:?}"))
}

#[test]
fn the_core_language_renders_as_velocity_1_7_does() {
    for jar in JARS {
        assert!(
            Path::new(jar).exists(),
            "{jar} is missing: install Debian's velocity package (apt-get install velocity; scripts/test.sh does)"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let classes = dir.path().join("classes");
    std::fs::create_dir(&classes).unwrap();
    let classpath = JARS.join(":");
    let javac = Command::new("javac")
        .args(["-d", classes.to_str().unwrap(), "-cp", &classpath])
        .arg("tests/java/VelocityOracle.java")
        .status()
        .expect("javac on PATH (apt-get install default-jdk-headless)");
    assert!(javac.success());
    let templates: Vec<String> = HAND_WRITTEN
        .iter()
        .map(|s| s.to_string())
        .chain(generated(1500))
        .collect();
    let cases = dir.path().join("cases");
    std::fs::create_dir(&cases).unwrap();
    for (n, t) in templates.iter().enumerate() {
        std::fs::write(cases.join(format!("{n:04}.vtl")), t).unwrap();
    }
    let java = Command::new("java")
        .args(["-cp", &format!("{}:{classpath}", classes.display())])
        .arg("VelocityOracle")
        .arg(&cases)
        .status()
        .unwrap();
    assert!(java.success());
    let mut differences = Vec::new();
    for (n, t) in templates.iter().enumerate() {
        let out = std::fs::read_to_string(cases.join(format!("{n:04}.out")));
        let theirs = match out {
            Ok(o) => Ok(o),
            Err(_) => Err(std::fs::read_to_string(cases.join(format!("{n:04}.err"))).unwrap()),
        };
        let mine = ours(t);
        let agree = match (&theirs, &mine) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), Err(_)) => true,
            _ => false,
        };
        if !agree {
            differences.push(format!(
                "template {n}:\n{t}\n  velocity: {theirs:?}\n  ours:     {mine:?}"
            ));
        }
    }
    println!(
        "velocity 1.7 agreement: {}/{} templates",
        templates.len() - differences.len(),
        templates.len()
    );
    assert!(
        differences.is_empty(),
        "{} differences:\n{}",
        differences.len(),
        differences.join("\n")
    );
}
