//! `vigil train fusion` with the real binary: labelled items are scanned,
//! a stacker is written, and `vigil scan --fusion` fuses with it; a labels
//! file from a test split is refused.

mod util;

use util::Vigil;

const CALM: [&str; 6] = [
    "See you at the meeting tomorrow.",
    "The recipe needs two cups of flour.",
    "Our train was twenty minutes late today.",
    "Thanks for the birthday card, it was lovely.",
    "The library opens at nine on Saturdays.",
    "I planted tomatoes in the garden this spring.",
];

const THREATS: [&str; 6] = [
    "I will find you and beat you to death.",
    "I am going to kill you and your family.",
    "You should be shot, you worthless scum.",
    "I will burn your house down tonight.",
    "Get out or I will stab you.",
    "I'm going to break every bone in your body.",
];

#[test]
fn a_stacker_is_trained_on_labelled_items_and_used_by_scan() {
    let vigil = Vigil::new();
    let dir = vigil.home().join("fusion");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let mut items = String::new();
    let mut labels = String::new();
    for (i, (calm, threat)) in CALM.iter().zip(THREATS).enumerate() {
        for (id, text, y) in [(format!("c{i}"), *calm, 0), (format!("t{i}"), threat, 1)] {
            items += &serde_json::json!({"id": id, "text": text}).to_string();
            items += "\n";
            labels +=
                &serde_json::json!({"id": id, "unsafe": y, "split": "validation"}).to_string();
            labels += "\n";
        }
    }
    std::fs::write(dir.join("items.jsonl"), &items).expect("write");
    std::fs::write(dir.join("labels.jsonl"), &labels).expect("write");
    let stacker = dir.join("fusion.json");
    let run = vigil
        .run([
            "train".as_ref(),
            "fusion".as_ref(),
            "--no-cascade".as_ref(),
            "--items".as_ref(),
            dir.join("items.jsonl").as_os_str(),
            "--labels".as_ref(),
            dir.join("labels.jsonl").as_os_str(),
            "--out".as_ref(),
            stacker.as_os_str(),
        ])
        .success();
    assert!(
        run.stdout.contains("unsafe: 12 items, 6 positive"),
        "{}",
        run.stdout
    );
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stacker).expect("written")).expect("JSON");
    assert_eq!(file["format"], "vigil-fusion/1");
    assert_eq!(file["trained_on"], "labels.jsonl");

    let run = vigil
        .run([
            "scan".as_ref(),
            "--no-cascade".as_ref(),
            "--fusion".as_ref(),
            stacker.as_os_str(),
            "--text".as_ref(),
            "I will find you and beat you to death.".as_ref(),
        ])
        .success();
    let d: serde_json::Value = serde_json::from_str(run.stdout.trim()).expect("a decision");
    assert!(
        d["models"]
            .as_array()
            .expect("models")
            .iter()
            .any(|m| m["name"] == "fusion-stacker" && m["digest"].as_str().is_some()),
        "{d:#}"
    );

    // Labels from a test split are refused, naming the line.
    std::fs::write(
        dir.join("labels.jsonl"),
        labels.replacen("\"validation\"", "\"test\"", 1),
    )
    .expect("write");
    let run = vigil
        .run([
            "train".as_ref(),
            "fusion".as_ref(),
            "--no-cascade".as_ref(),
            "--items".as_ref(),
            dir.join("items.jsonl").as_os_str(),
            "--labels".as_ref(),
            dir.join("labels.jsonl").as_os_str(),
            "--out".as_ref(),
            stacker.as_os_str(),
        ])
        .failure();
    assert!(
        run.stderr.contains("labels.jsonl:1") && run.stderr.contains("test split"),
        "{}",
        run.stderr
    );
    // A broken stacker file stops `vigil scan` with its name.
    std::fs::write(&stacker, b"{}").expect("write");
    let run = vigil
        .run([
            "scan".as_ref(),
            "--no-cascade".as_ref(),
            "--fusion".as_ref(),
            stacker.as_os_str(),
            "--text".as_ref(),
            "hello".as_ref(),
        ])
        .failure();
    assert!(run.stderr.contains("fusion.json"), "{}", run.stderr);
}
