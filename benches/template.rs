//! Benchmark for the mapping-template engine (not a test; `cargo bench --bench template`):
//! 1. a 1 MB JSON body through a 50-line template (target: under 20 ms per rendering);
//! 2. the seed article's template on its Lambda output (target: 10,000 renderings per second
//!    or more), parsed each time as a fresh command would, and parsed once.
use apigw_doctor::checks::template::{self, Phase, Request, eval::Input};
use std::time::Instant;

// The shipped binary's allocator (src/main.rs), so the numbers are the command's.
#[global_allocator]
static ALLOCATOR: apigw_doctor::allocator::Chosen = apigw_doctor::allocator::Chosen;

const FIFTY_LINES: &str = r#"#set($root = $input.path('$'))
#set($orders = $input.path('$.orders'))
#set($count = 0)
#set($total = 0.0)
{
  "requestId": "$context.requestId",
  "stage": "$context.stage",
  "source": "$input.params('source')",
  "summary": {
    "orders": $orders.size(),
    "firstId": "$orders[0].id",
    "lastId": "$orders[-1].id"
  },
  "items": [
#foreach($o in $orders)
#if($foreach.index < 200)
    {
      "id": "$o.id",
      "customer": "$util.escapeJavaScript($o.customer).replaceAll("\\'", "'")",
      "status": "$o.status.toUpperCase()",
      "amount": $o.amount,
#if($o.amount > 50)
      "large": true,
#else
      "large": false,
#end
      "tags": $input.json("$.orders[$foreach.index].tags"),
      "city": "$o.address.city"
    }#if($foreach.hasNext && $foreach.index < 199),#end
#end
#set($count = $count + 1)
#set($total = $total + $o.amount)
#end
  ],
  "count": $count,
  "total": $total,
#if($total > 1000)
  "tier": "high",
#elseif($total > 100)
  "tier": "mid",
#else
  "tier": "low",
#end
  "echo": $input.json('$.meta'),
  "note": "$util.urlEncode('done & dusted')"
}
#set($context.responseOverride.header.X-Count = "$count")
#if($count == 0)
#set($context.responseOverride.status = 404)
#end
"#;

const SEED: &str = "#set($inputRoot = $input.path('$'))\n$input.json(\"$\")\n#if($inputRoot.toString().contains(\"customerror\"))\n#set($context.responseOverride.status = 400)\n#end \n";

fn body_of_one_megabyte() -> String {
    let mut s = String::from("{\"meta\": {\"source\": \"bench\"}, \"orders\": [");
    let mut i = 0;
    while s.len() < 1024 * 1024 {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            "{{\"id\": \"o-{i}\", \"customer\": \"Customer {i} O'Brien\", \"status\": \"shipped\", \"amount\": {}.5, \"tags\": [\"a\", \"b{i}\"], \"address\": {{\"city\": \"Berlin\", \"zip\": \"10{i}\"}}}}",
            i % 97
        ));
        i += 1;
    }
    s.push_str("]}");
    s
}

fn request(body: &str) -> Request<'static> {
    Request {
        phase: Phase::Response,
        input: Input {
            body: body.to_string(),
            ..Input::default()
        },
        context: None,
        stage_variables: Default::default(),
        content_type: Some("application/json"),
    }
}

fn main() {
    // As the `template` command chooses (src/main.rs).
    apigw_doctor::allocator::use_mimalloc();
    let body = body_of_one_megabyte();
    assert_eq!(FIFTY_LINES.lines().count(), 50);
    let before = apigw_doctor::checks::budget::spent();
    let first = template::evaluate(FIFTY_LINES, request(&body));
    assert!(first.output.is_some(), "{:?}", first.error);
    println!(
        "one rendering spends {} of the command's {} budget steps",
        apigw_doctor::checks::budget::spent() - before,
        apigw_doctor::checks::budget::EVALUATION_BUDGET
    );
    let runs = 30;
    let start = Instant::now();
    for _ in 0..runs {
        let v = template::value::Value::parse_json(&body).unwrap();
        std::hint::black_box(&v);
    }
    println!(
        "of which parsing the 1 MB body into template values: {:.2} ms",
        (start.elapsed() / runs).as_secs_f64() * 1000.0
    );
    let start = Instant::now();
    for _ in 0..runs {
        // Each rendering is one command's work: one budget each.
        apigw_doctor::checks::budget::reset();
        let o = template::evaluate(FIFTY_LINES, request(&body));
        assert!(o.output.is_some());
    }
    let per = start.elapsed() / runs;
    println!(
        "1 MB body ({} orders), 50-line template: {:.2} ms per rendering (target < 20 ms)",
        body.matches("\"id\"").count(),
        per.as_secs_f64() * 1000.0
    );

    let seed_body = r#"{"statusCode": 200, "body": "customerror"}"#;
    let n = 50_000;
    let start = Instant::now();
    for _ in 0..n {
        apigw_doctor::checks::budget::reset();
        let o = template::evaluate(SEED, request(seed_body));
        assert_eq!(o.overrides.status, Some(serde_json::json!(400)));
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    println!(
        "seed template, parsed and rendered each time: {rate:.0} renderings/s (target >= 10,000)"
    );
    let nodes = template::parse::parse(SEED).unwrap();
    let start = Instant::now();
    for _ in 0..n {
        apigw_doctor::checks::budget::reset();
        let env = template::eval::Env {
            null_rule: template::eval::NullRule::Aws,
            input: Input {
                body: seed_body.to_string(),
                ..Input::default()
            },
            context: template::context(None),
            stage_variables: template::value::Value::Null,
            max_iterations: template::eval::MAX_ITERATIONS,
        };
        template::eval::render(&nodes, &env).unwrap();
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    println!("seed template, parsed once: {rate:.0} renderings/s");
}
