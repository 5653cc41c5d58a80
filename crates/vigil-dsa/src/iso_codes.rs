//! The ISO code lists the Transparency Database checks `territorial_scope`
//! and `content_language` against.

/// The territories a statement's `territorial_scope` may name: the 27 EU
/// member states and the three further EEA states (Iceland, Liechtenstein,
/// Norway), as ISO 3166-1 alpha-2 codes (so Greece is `GR`), sorted.
pub const EU_EEA_COUNTRIES: [&str; 30] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IS",
    "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// The ISO 639-1 two-letter language codes in force, upper case and sorted.
/// Withdrawn codes (`BH`, `IN`, `IW`, `JI`, `MO`, `SH`) are not included.
pub const ISO_639_1_LANGUAGES: [&str; 183] = [
    "AA", "AB", "AE", "AF", "AK", "AM", "AN", "AR", "AS", "AV", "AY", "AZ", "BA", "BE", "BG", "BI",
    "BM", "BN", "BO", "BR", "BS", "CA", "CE", "CH", "CO", "CR", "CS", "CU", "CV", "CY", "DA", "DE",
    "DV", "DZ", "EE", "EL", "EN", "EO", "ES", "ET", "EU", "FA", "FF", "FI", "FJ", "FO", "FR", "FY",
    "GA", "GD", "GL", "GN", "GU", "GV", "HA", "HE", "HI", "HO", "HR", "HT", "HU", "HY", "HZ", "IA",
    "ID", "IE", "IG", "II", "IK", "IO", "IS", "IT", "IU", "JA", "JV", "KA", "KG", "KI", "KJ", "KK",
    "KL", "KM", "KN", "KO", "KR", "KS", "KU", "KV", "KW", "KY", "LA", "LB", "LG", "LI", "LN", "LO",
    "LT", "LU", "LV", "MG", "MH", "MI", "MK", "ML", "MN", "MR", "MS", "MT", "MY", "NA", "NB", "ND",
    "NE", "NG", "NL", "NN", "NO", "NR", "NV", "NY", "OC", "OJ", "OM", "OR", "OS", "PA", "PI", "PL",
    "PS", "PT", "QU", "RM", "RN", "RO", "RU", "RW", "SA", "SC", "SD", "SE", "SG", "SI", "SK", "SL",
    "SM", "SN", "SO", "SQ", "SR", "SS", "ST", "SU", "SV", "SW", "TA", "TE", "TG", "TH", "TI", "TK",
    "TL", "TN", "TO", "TR", "TS", "TT", "TW", "TY", "UG", "UK", "UR", "UZ", "VE", "VI", "VO", "WA",
    "WO", "XH", "YI", "YO", "ZA", "ZH", "ZU",
];

/// Whether `code` is an EU or EEA country code (upper case, as listed in
/// [`EU_EEA_COUNTRIES`]).
pub fn is_eu_eea_country(code: &str) -> bool {
    EU_EEA_COUNTRIES.binary_search(&code).is_ok()
}

/// Whether `code` is an ISO 639-1 code in upper case (as listed in
/// [`ISO_639_1_LANGUAGES`]); `en` is not, `EN` is.
pub fn is_iso_639_1(code: &str) -> bool {
    ISO_639_1_LANGUAGES.binary_search(&code).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Binary search needs sorted, distinct lists.
    #[test]
    fn lists_are_sorted_and_distinct() {
        assert!(EU_EEA_COUNTRIES.windows(2).all(|w| w[0] < w[1]));
        assert!(ISO_639_1_LANGUAGES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn codes_are_two_ascii_capitals() {
        for code in EU_EEA_COUNTRIES.iter().chain(&ISO_639_1_LANGUAGES) {
            assert!(
                code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()),
                "{code}"
            );
        }
    }

    #[test]
    fn membership() {
        assert!(is_eu_eea_country("DE") && is_eu_eea_country("NO"));
        assert!(!is_eu_eea_country("GB") && !is_eu_eea_country("CH"));
        assert!(!is_eu_eea_country("de"));
        assert!(is_iso_639_1("EN") && is_iso_639_1("GA") && is_iso_639_1("MT"));
        assert!(!is_iso_639_1("en") && !is_iso_639_1("XX") && !is_iso_639_1("SH"));
    }
}
