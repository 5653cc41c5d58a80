//! Property tests for the agreement coefficients: symmetry and invariance
//! under reordering and relabelling, the bounds they must keep, a
//! brute-force definition of alpha, and the exact link between alpha and
//! Scott's pi (and so kappa) for two raters with nothing missing.

use proptest::prelude::*;
use vigil_eval::{cohen_kappa, krippendorff_alpha, AgreementUndefined};

/// Two raters on up to 40 items, three categories, labels sometimes missing.
fn rating_pairs() -> impl Strategy<Value = Vec<(Option<u8>, Option<u8>)>> {
    prop::collection::vec(
        (
            prop::option::weighted(0.85, 0u8..3),
            prop::option::weighted(0.85, 0u8..3),
        ),
        0..40,
    )
}

/// Up to 30 units, each with up to 5 raters' labels over three categories.
fn rating_units() -> impl Strategy<Value = Vec<Vec<Option<u8>>>> {
    prop::collection::vec(
        prop::collection::vec(prop::option::weighted(0.7, 0u8..3), 0..6),
        0..30,
    )
}

/// Alpha straight from its definition: every ordered pair of values within
/// a unit, weighted by `1 / (m_u − 1)`, against every ordered pair of
/// pairable values.
fn brute_alpha(units: &[Vec<Option<u8>>]) -> Option<f64> {
    let pairable: Vec<Vec<u8>> = units
        .iter()
        .map(|u| u.iter().flatten().copied().collect::<Vec<u8>>())
        .filter(|u: &Vec<u8>| u.len() >= 2)
        .collect();
    let all: Vec<u8> = pairable.iter().flatten().copied().collect();
    let n = all.len() as f64;
    let mut within = 0.0;
    for u in &pairable {
        let weight = 1.0 / (u.len() as f64 - 1.0);
        for (i, x) in u.iter().enumerate() {
            for (j, y) in u.iter().enumerate() {
                if i != j && x != y {
                    within += weight;
                }
            }
        }
    }
    let mut across = 0.0;
    for (i, x) in all.iter().enumerate() {
        for (j, y) in all.iter().enumerate() {
            if i != j && x != y {
                across += 1.0;
            }
        }
    }
    (n >= 2.0 && across > 0.0).then(|| 1.0 - (within / n) / (across / (n * (n - 1.0))))
}

proptest! {
    #[test]
    fn kappa_is_symmetric_and_order_free(p in rating_pairs()) {
        let swapped: Vec<_> = p.iter().map(|&(a, b)| (b, a)).collect();
        let mut reversed = p.clone();
        reversed.reverse();
        // Renaming the categories (a bijection) changes nothing either.
        let renamed: Vec<_> = p
            .iter()
            .map(|&(a, b)| (a.map(|x| (x + 1) % 3), b.map(|x| (x + 1) % 3)))
            .collect();
        match cohen_kappa(&p) {
            Ok(k) => {
                prop_assert!((-1.0..=1.0).contains(&k.kappa), "{}", k.kappa);
                prop_assert!((0.0..=1.0).contains(&k.observed));
                prop_assert!((0.0..1.0).contains(&k.expected));
                for other in [&swapped, &reversed, &renamed] {
                    let o = cohen_kappa(other).unwrap();
                    prop_assert!((o.kappa - k.kappa).abs() < 1e-12);
                    prop_assert_eq!(o.n, k.n);
                }
            }
            Err(e) => {
                for other in [&swapped, &reversed, &renamed] {
                    prop_assert_eq!(cohen_kappa(other), Err(e));
                }
            }
        }
    }

    #[test]
    fn alpha_follows_its_definition(u in rating_units()) {
        let got = krippendorff_alpha(&u);
        match brute_alpha(&u) {
            Some(want) => {
                let a = got.unwrap();
                prop_assert!((a.alpha - want).abs() < 1e-9, "{} against {}", a.alpha, want);
                prop_assert!(a.alpha <= 1.0 + 1e-12);
            }
            None => prop_assert!(got.is_err()),
        }
    }

    #[test]
    fn alpha_ignores_who_rated_unit_order_and_lone_labels(u in rating_units()) {
        let base = krippendorff_alpha(&u);
        // Reverse each unit's raters, reverse the units, add a unit with one
        // label and pad every unit with missing labels.
        let mut shuffled: Vec<Vec<Option<u8>>> = u
            .iter()
            .rev()
            .map(|unit| {
                let mut v: Vec<Option<u8>> = unit.iter().rev().copied().collect();
                v.push(None);
                v
            })
            .collect();
        shuffled.push(vec![Some(2), None, None]);
        match (base, krippendorff_alpha(&shuffled)) {
            (Ok(a), Ok(b)) => {
                prop_assert!((a.alpha - b.alpha).abs() < 1e-12);
                prop_assert_eq!(a.pairable_values, b.pairable_values);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "{:?} against {:?}", a, b),
        }
    }

    #[test]
    fn two_complete_raters_link_alpha_to_scotts_pi_and_kappa(
        p in prop::collection::vec((0u8..3, 0u8..3), 1..40)
    ) {
        let pairs: Vec<_> = p.iter().map(|&(a, b)| (Some(a), Some(b))).collect();
        let units: Vec<Vec<Option<u8>>> = p.iter().map(|&(a, b)| vec![Some(a), Some(b)]).collect();
        let (kappa, alpha) = (cohen_kappa(&pairs), krippendorff_alpha(&units));
        // Scott's pi uses the pooled category frequencies of both raters.
        let items = p.len() as f64;
        let observed = p.iter().filter(|(a, b)| a == b).count() as f64 / items;
        let pooled: f64 = (0u8..3)
            .map(|c| {
                let share = p.iter().map(|&(a, b)| u8::from(a == c) + u8::from(b == c)).sum::<u8>();
                (f64::from(share) / (2.0 * items)).powi(2)
            })
            .sum();
        if pooled >= 1.0 {
            prop_assert_eq!(alpha, Err(AgreementUndefined::SingleCategory));
            return Ok(());
        }
        let pi = (observed - pooled) / (1.0 - pooled);
        let values = 2.0 * items;
        let a = alpha.unwrap();
        prop_assert!((a.alpha - (1.0 - (1.0 - 1.0 / values) * (1.0 - pi))).abs() < 1e-9);
        // Kappa's chance agreement never exceeds pi's, so kappa >= pi.
        if let Ok(k) = kappa {
            prop_assert!(k.kappa >= pi - 1e-12);
        }
    }
}
