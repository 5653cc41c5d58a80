//! `[images]` and `[banks.NAME]`: what a valid policy reads as, and the
//! defaults. (Malformed ones are in `tests/data/bad/bank-*` and `images-*`.)

use vigil_core::{Category, Score};
use vigil_policy::{BankUse, ImageSettings, Policy};

const HEADER: &str = r#"
[policy]
name = "images"
version = "1"

[categories.violence_graphic]
description = "Graphic violence."
dsa_category = "STATEMENT_CATEGORY_VIOLENCE"
terms_ground = "Terms: violence"
thresholds = { review = 0.5, block = 0.9 }
"#;

fn load(sections: &str) -> vigil_policy::Checked {
    let text = format!("{HEADER}\n{sections}");
    Policy::from_toml(&text, "p.toml").unwrap_or_else(|e| panic!("refused:\n{e}"))
}

#[test]
fn without_the_sections_images_take_the_defaults_and_no_bank_applies() {
    let policy = load("").policy;
    assert_eq!(
        policy.images,
        ImageSettings {
            match_distance: 31,
            quality_floor: 50
        }
    );
    assert!(policy.banks.is_empty());
}

#[test]
fn positive_and_negative_banks_are_read_in_name_order() {
    let checked = load(
        r#"
[images]
match_distance = 24
quality_floor = 70

[banks.known_terror]
category = "violence_graphic"

[banks.benign_memes]
suppress = true
match_distance = 20

[banks.gore_feed]
category = "violence_graphic"
score = 0.8
match_distance = 40
"#,
    );
    let policy = checked.policy;
    assert_eq!(
        policy.images,
        ImageSettings {
            match_distance: 24,
            quality_floor: 70
        }
    );
    let score = |v| Score::new(v).expect("valid");
    assert_eq!(
        policy.banks,
        [
            BankUse {
                name: "benign_memes".into(),
                category: None,
                suppress: true,
                score: Score::ONE,
                match_distance: Some(20),
            },
            BankUse {
                name: "gore_feed".into(),
                category: Some(Category::ViolenceGraphic),
                suppress: false,
                score: score(0.8),
                match_distance: Some(40),
            },
            BankUse {
                name: "known_terror".into(),
                category: Some(Category::ViolenceGraphic),
                suppress: false,
                score: Score::ONE,
                match_distance: None,
            },
        ]
    );
    // A per-bank distance may be above the global one; absent, the global applies.
    assert_eq!(policy.banks[1].distance(&policy.images), 40);
    assert_eq!(policy.banks[2].distance(&policy.images), 24);
    assert!(
        checked.warnings.iter().all(|w| !w.message.contains("bank")),
        "{:?}",
        checked.warnings
    );
}

#[test]
fn a_bank_signalling_a_category_the_policy_never_acts_on_is_a_warning() {
    let checked = load(
        r#"
[banks.known_hate]
category = "hate"
"#,
    );
    let warning = checked
        .warnings
        .iter()
        .find(|w| w.message.contains("bank `known_hate`"))
        .unwrap_or_else(|| panic!("no warning: {:?}", checked.warnings));
    assert!(
        warning.message.contains("no [categories.hate]"),
        "{warning}"
    );
    assert_eq!((warning.line, warning.column), (14, 12), "{warning}");
    assert_eq!(checked.policy.banks.len(), 1);
}

#[test]
fn every_bank_error_is_collected() {
    let text = format!(
        "{HEADER}\n{}",
        r#"
[images]
match_distance = 257
quality_floor = -1

[banks.a]
category = "gore"

[banks.b]

[banks.c]
category = "violence_graphic"
suppress = true
"#
    );
    let errors = Policy::from_toml(&text, "p.toml").expect_err("refused");
    let lines: Vec<usize> = errors.errors().map(|d| d.line).collect();
    assert_eq!(lines, [14, 15, 18, 20, 24], "{errors}");
}

#[test]
fn video_and_audio_settings_default_and_read() {
    let policy = load("").policy;
    assert_eq!(policy.video, vigil_policy::VideoSettings::default());
    assert_eq!(policy.video.frame_distance, 31);
    assert_eq!(policy.video.quality_floor, 50);
    assert_eq!(policy.video.match_percent, 80.0);
    assert_eq!(policy.audio, vigil_policy::AudioSettings::default());
    let policy = load(
        r#"
[video]
frame_distance = 20
quality_floor = 60
match_percent = 90.0

[audio]
max_bit_error_rate = 0.15
min_overlap_s = 3.0
"#,
    )
    .policy;
    assert_eq!(
        policy.video,
        vigil_policy::VideoSettings {
            frame_distance: 20,
            quality_floor: 60,
            match_percent: 90.0
        }
    );
    assert_eq!(
        policy.audio,
        vigil_policy::AudioSettings {
            max_bit_error_rate: 0.15,
            min_overlap_s: 3.0
        }
    );
}

#[test]
fn every_video_and_audio_error_is_collected_and_named() {
    let text = format!(
        "{HEADER}\n{}",
        r#"
[video]
frame_distance = 300
quality_floor = 101
match_percent = 0.0

[audio]
max_bit_error_rate = 0.7
min_overlap_s = -1.0
seconds = 3
"#
    );
    let errors = Policy::from_toml(&text, "p.toml").expect_err("refused");
    let shown = errors.to_string();
    // An unknown key stops the parse before the values are checked.
    assert!(shown.contains("seconds"), "{shown}");
    let text = text.replace("seconds = 3\n", "");
    let errors = Policy::from_toml(&text, "p.toml").expect_err("refused");
    let lines: Vec<usize> = errors.errors().map(|d| d.line).collect();
    assert_eq!(lines, [14, 15, 16, 19, 20], "{errors}");
    let shown = errors.to_string();
    for what in [
        "[video] frame_distance",
        "[video] quality_floor",
        "[video] match_percent",
        "[audio] max_bit_error_rate",
        "[audio] min_overlap_s",
    ] {
        assert!(shown.contains(what), "{what} not named in:\n{shown}");
    }
}
