//! The fixed rows and labels of the Commission's quantitative template
//! (Implementing Regulation (EU) 2024/2835, Annex I), as its English CSV
//! parts spell them (trailing spaces trimmed). docs/transparency-report.md
//! says which figure fills which cell.

/// A statement category and, under it, the specification keywords the
/// template lists for it, in the template's order. Each category's block
/// ends with a `KEYWORD_OTHER` row.
pub(crate) struct TemplateCategory {
    pub category: &'static str,
    pub keywords: &'static [&'static str],
}

/// The categories of illegal content, in the template's order (sections
/// 3, 4, 5 and, before `STATEMENT_CATEGORY_OTHER_VIOLATION_TC`, 6).
pub(crate) const CATEGORIES: &[TemplateCategory] = &[
    TemplateCategory {
        category: "STATEMENT_CATEGORY_ANIMAL_WELFARE",
        keywords: &["KEYWORD_ANIMAL_HARM", "KEYWORD_UNLAWFUL_SALE_ANIMALS"],
    },
    TemplateCategory {
        category: "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
        keywords: &[
            "KEYWORD_HIDDEN_ADVERTISEMENT",
            "KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS",
            "KEYWORD_MISLEADING_INFO_GOODS_SERVICES",
            "KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS",
            "KEYWORD_NONCOMPLIANCE_PRICING",
        ],
    },
    TemplateCategory {
        category: "STATEMENT_CATEGORY_CYBER_VIOLENCE",
        keywords: &[
            "KEYWORD_CYBER_BULLYING_INTIMIDATION",
            "KEYWORD_CYBER_HARASSMENT",
            "KEYWORD_CYBER_INCITEMENT",
            "KEYWORD_CYBER_STALKING",
            "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
            "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",
        ],
    },
    TemplateCategory {
        category: "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
        keywords: &[
            "KEYWORD_BULLYING_AGAINST_GIRLS",
            "KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN",
            "KEYWORD_CYBER_STALKING_AGAINST_WOMEN",
            "KEYWORD_FEMALE_GENDERED_DISINFORMATION",
            "KEYWORD_INCITEMENT_AGAINST_WOMEN",
            "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN",
            "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
        ],
    },
    TemplateCategory {
        category: "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
        keywords: &[
            "KEYWORD_BIOMETRIC_DATA_BREACH",
            "KEYWORD_DATA_FALSIFICATION",
            "KEYWORD_MISSING_PROCESSING_GROUND",
            "KEYWORD_RIGHT_TO_BE_FORGOTTEN",
        ],
    },
    TemplateCategory {
        category: "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
        keywords: &[
            "KEYWORD_DEFAMATION",
            "KEYWORD_DISCRIMINATION",
            "KEYWORD_HATE_SPEECH",
        ],
    },
    TemplateCategory {
        category: "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        keywords: &[
            "KEYWORD_COPYRIGHT_INFRINGEMENT",
            "KEYWORD_DESIGN_INFRINGEMENT",
            "KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT",
            "KEYWORD_PATENT_INFRINGEMENT",
            "KEYWORD_TRADE_SECRET_INFRINGEMENT",
            "KEYWORD_TRADEMARK_INFRINGEMENT",
        ],
    },
    TemplateCategory {
        category: "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
        keywords: &[
            "KEYWORD_MISINFORMATION_DISINFORMATION",
            "KEYWORD_VIOLATION_EU_LAW",
            "KEYWORD_VIOLATION_NATIONAL_LAW",
        ],
    },
    TemplateCategory {
        category: "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        keywords: &[
            "KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS",
            "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
            "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
            "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",
            "KEYWORD_UNSAFE_CHALLENGES",
        ],
    },
    TemplateCategory {
        category: "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
        keywords: &[
            "KEYWORD_ILLEGAL_ORGANIZATIONS",
            "KEYWORD_RISK_ENVIRONMENTAL_DAMAGE",
            "KEYWORD_RISK_PUBLIC_HEALTH",
            "KEYWORD_TERRORIST_CONTENT",
        ],
    },
    TemplateCategory {
        category: "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        keywords: &[
            "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING",
            "KEYWORD_INAUTHENTIC_ACCOUNTS",
            "KEYWORD_INAUTHENTIC_LISTINGS",
            "KEYWORD_INAUTHENTIC_USER_REVIEWS",
            "KEYWORD_PHISHING",
            "KEYWORD_PYRAMID_SCHEMES",
        ],
    },
    TemplateCategory {
        category: "STATEMENT_CATEGORY_SELF_HARM",
        keywords: &[
            "KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS",
            "KEYWORD_SELF_MUTILATION",
            "KEYWORD_SUICIDE",
        ],
    },
    TemplateCategory {
        category: "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
        keywords: &["KEYWORD_PROHIBITED_PRODUCTS", "KEYWORD_UNSAFE_PRODUCTS"],
    },
    TemplateCategory {
        category: "STATEMENT_CATEGORY_VIOLENCE",
        keywords: &[
            "KEYWORD_COORDINATED_HARM",
            "KEYWORD_INCITEMENT_VIOLENCE_HATRED",
            "KEYWORD_HUMAN_EXPLOITATION",
            "KEYWORD_HUMAN_TRAFFICKING",
            "KEYWORD_TRAFFICKING_WOMEN_GIRLS",
        ],
    },
];

/// The last category block of section 6 (terms and conditions only).
pub(crate) const OTHER_VIOLATION_TC: TemplateCategory = TemplateCategory {
    category: "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    keywords: &[
        "KEYWORD_ADULT_SEXUAL_MATERIAL",
        "KEYWORD_AGE_SPECIFIC_RESTRICTIONS",
        "KEYWORD_GEOGRAPHICAL_REQUIREMENTS",
        "KEYWORD_GOODS_SERVICES_NOT_PERMITTED",
        "KEYWORD_LANGUAGE_REQUIREMENTS",
        "KEYWORD_NUDITY",
    ],
};

/// The row closing section 4 (notices whose category is not specified).
pub(crate) const NOT_SPECIFIED_NOTICE: &str = "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE";
/// The row closing section 3.
pub(crate) const NOT_SPECIFIED_ORDER: &str = "STATEMENT_CATEGORY_NOT_SPECIFIED_ORDER";
/// The keyword row that closes each category's block.
pub(crate) const KEYWORD_OTHER: &str = "KEYWORD_OTHER";
/// The first row of a category table.
pub(crate) const TOTAL: &str = "TOTAL";

/// `Applicability` values.
pub(crate) const ALL_PROVIDERS: &str = "All";
pub(crate) const HOSTING: &str =
    "Only for providers of hosting services, including online platforms";
pub(crate) const PLATFORMS: &str = "Only for providers of online platforms";
pub(crate) const VLOPS: &str = "Only for VLOPs";
pub(crate) const VLOPS_VLOSES: &str = "Only for VLOPs and VLOSEs";

/// The measure columns of sections 5 and 6, after the category columns.
pub(crate) const MEASURE_COLUMNS: [&str; 16] = [
    "Number of measures taken at the provider's own initiative",
    "Number of measures taken after detection with solely automated means",
    "Visibility restriction Removal",
    "Visibility restriction Disable",
    "Visibility restriction Demoted",
    "Visibility restriction Age restricted",
    "Visibility restriction Interaction restricted",
    "Visibility restriction Labelled",
    "Visibility restriction Other",
    "Monetary restriction Suspension",
    "Monetary restriction Termination",
    "Monetary restriction Other",
    "Provision of the service Suspension",
    "Provision of the service Termination",
    "Account restriction Suspension",
    "Account restriction Termination",
];

/// The figure columns of section 4.
pub(crate) const NOTICE_COLUMNS: [&str; 10] = [
    "Number of notices received",
    "Number of notices received from Trusted flaggers",
    "Number of specific items of information included in the total number of notices",
    "Number of specific items of information included in the total number of notices by Trusted Flaggers (Trusted Flagger notices)",
    "Median time to take action",
    "Median time to take action (Trusted Flagger notices)",
    "Number of actions taken on the basis of the law",
    "Number of actions taken on the basis of the law (Trusted Flagger notices)",
    "Number of actions taken on the basis of the terms and conditions of the service",
    "Number of actions taken on the basis of the terms and conditions of the service (Trusted Flagger notices)",
];

/// The figure columns of section 3, then their contextual columns (which
/// the template does not spell as one prefix).
pub(crate) const ORDER_COLUMNS: [&str; 7] = [
    "Number of orders to act against illegal content received",
    "Number of specific items of information included in the total number of orders to act against illegal content",
    "Median time to inform the authority of the receipt of the order to act against illegal content",
    "Median time to give effect to the order to act against illegal content",
    "Number of orders to provide information",
    "Median time to inform the authority of the receipt of the order to provide information",
    "Median time to give effect to the order to provide information",
];
pub(crate) const ORDER_CONTEXT_COLUMNS: [&str; 7] = [
    "Contextual information on number of orders to act against illegal content received",
    "Contextual information on number of specific items of information included in the total number of orders to act against illegal content",
    "Contextual information on Median time to inform the authority of the receipt of the order to act against illegal content",
    "Contextual information on Median time to give effect to the order to act against illegal content",
    "Contextual information on Number of orders to provide information",
    "Contextual information on Median time to inform the authority of the receipt of the order to provide information",
    "Contextual information on Median time to give effect to the order to provide information",
];

/// The header of the indicator-shaped sections (7, 8).
pub(crate) const INDICATOR_HEADER: [&str; 8] = [
    "Applicability",
    "Service",
    "Reporting period",
    "Section",
    "Indicator",
    "Scope",
    "Value",
    "Contextual Information",
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use vigil_core::dsa::{Keyword, StatementCategory};

    use super::*;

    #[test]
    fn every_template_category_and_keyword_is_a_dsa_value() {
        let mut seen = BTreeSet::new();
        for block in CATEGORIES.iter().chain([&OTHER_VIOLATION_TC]) {
            block
                .category
                .parse::<StatementCategory>()
                .unwrap_or_else(|e| panic!("{e}"));
            for k in block.keywords {
                k.parse::<Keyword>().unwrap_or_else(|e| panic!("{e}"));
                assert!(seen.insert(*k), "{k} listed twice");
            }
        }
        NOT_SPECIFIED_NOTICE.parse::<StatementCategory>().unwrap();
        // Every keyword sits under exactly one category, but KEYWORD_OTHER
        // (a row in every block) and KEYWORD_STALKING, which statements of
        // reasons accept and the template has no row for (a measure filed
        // with it counts under its category's row only).
        let all: BTreeSet<&str> = Keyword::ALL.iter().map(|k| k.as_str()).collect();
        let missing: Vec<_> = all.difference(&seen).copied().collect();
        assert_eq!(
            missing,
            vec![KEYWORD_OTHER, "KEYWORD_STALKING"],
            "keywords with no template row"
        );
    }
}
