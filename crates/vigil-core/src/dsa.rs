//! The vocabulary of the EU DSA Transparency Database (statements of reasons).
//!
//! Each list is an enum whose serialised form is the database's constant
//! (`STATEMENT_CATEGORY_VIOLENCE`). Generated from
//! `shared/reference/dsa-statement-of-reasons.md`; a value outside these lists is
//! refused when a policy is parsed, so no invalid statement can be written later.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A string outside a DSA enumeration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a DSA {list} value; expected one of {expected}")]
pub struct UnknownDsaValue {
    /// The enumeration's name in the DSA documentation.
    pub list: &'static str,
    /// The value given.
    pub value: String,
    /// The allowed values, comma-separated (or a few with an ellipsis for long lists).
    pub expected: String,
}

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $list:literal, { $($variant:ident => $key:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $(#[doc = $key] $variant,)+
        }

        impl $name {
            /// Every value, in the documentation's order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            /// The enumeration's name in the DSA documentation.
            pub const LIST: &'static str = $list;

            /// The constant as the Transparency Database spells it.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $key,)+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownDsaValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| UnknownDsaValue {
                    list: $list,
                    value: s.to_owned(),
                    expected: expected_list($name::ALL.iter().map(|v| v.as_str()), s),
                })
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = std::borrow::Cow::<str>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// The allowed values for an error message: all of them for short lists; for
/// long ones, those sharing the longest prefix with the bad value (a likely
/// typo), else the first few.
fn expected_list<'a>(all: impl Iterator<Item = &'a str>, bad: &str) -> String {
    let all: Vec<&str> = all.collect();
    if all.len() <= 16 {
        return all.join(", ");
    }
    let common = |v: &str| {
        v.chars()
            .zip(bad.chars())
            .take_while(|(a, b)| a == b)
            .count()
    };
    let best = all.iter().map(|v| common(v)).max().unwrap_or(0);
    let near: Vec<&str> = all
        .iter()
        .copied()
        .filter(|v| common(v) == best)
        .take(8)
        .collect();
    format!("{}, … ({} values in all)", near.join(", "), all.len())
}

vocabulary!(
    /// The legal basis of a decision.
    DecisionGround, "DECISION_GROUNDS", {
        IllegalContent => "DECISION_GROUND_ILLEGAL_CONTENT",
        IncompatibleContent => "DECISION_GROUND_INCOMPATIBLE_CONTENT",
    }
);

vocabulary!(
    /// The DSA statement category of a decision.
    StatementCategory, "STATEMENT_CATEGORIES", {
        AnimalWelfare => "STATEMENT_CATEGORY_ANIMAL_WELFARE",
        ConsumerInformation => "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
        CyberViolence => "STATEMENT_CATEGORY_CYBER_VIOLENCE",
        CyberViolenceAgainstWomen => "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
        DataProtectionAndPrivacyViolations => "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
        IllegalOrHarmfulSpeech => "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
        IntellectualPropertyInfringements => "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        NegativeEffectsOnCivicDiscourseOrElections => "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
        NotSpecifiedNotice => "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
        OtherViolationTc => "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
        ProtectionOfMinors => "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        RiskForPublicSecurity => "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
        ScamsAndFraud => "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        SelfHarm => "STATEMENT_CATEGORY_SELF_HARM",
        UnsafeAndProhibitedProducts => "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
        Violence => "STATEMENT_CATEGORY_VIOLENCE",
    }
);

vocabulary!(
    /// The type of content a statement concerns.
    ContentType, "CONTENT_TYPES", {
        App => "CONTENT_TYPE_APP",
        Audio => "CONTENT_TYPE_AUDIO",
        Image => "CONTENT_TYPE_IMAGE",
        Other => "CONTENT_TYPE_OTHER",
        Product => "CONTENT_TYPE_PRODUCT",
        SyntheticMedia => "CONTENT_TYPE_SYNTHETIC_MEDIA",
        Text => "CONTENT_TYPE_TEXT",
        Video => "CONTENT_TYPE_VIDEO",
    }
);

vocabulary!(
    /// What prompted the decision.
    SourceType, "SOURCE_TYPES", {
        Article16 => "SOURCE_ARTICLE_16",
        TrustedFlagger => "SOURCE_TRUSTED_FLAGGER",
        TypeOtherNotification => "SOURCE_TYPE_OTHER_NOTIFICATION",
        Voluntary => "SOURCE_VOLUNTARY",
    }
);

vocabulary!(
    /// How far the decision was automated.
    AutomatedDecision, "AUTOMATED_DECISIONS", {
        Fully => "AUTOMATED_DECISION_FULLY",
        NotAutomated => "AUTOMATED_DECISION_NOT_AUTOMATED",
        Partially => "AUTOMATED_DECISION_PARTIALLY",
    }
);

vocabulary!(
    /// A restriction of the content's visibility.
    Visibility, "DECISION_VISIBILITIES", {
        ContentAgeRestricted => "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
        ContentDemoted => "DECISION_VISIBILITY_CONTENT_DEMOTED",
        ContentDisabled => "DECISION_VISIBILITY_CONTENT_DISABLED",
        ContentInteractionRestricted => "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
        ContentLabelled => "DECISION_VISIBILITY_CONTENT_LABELLED",
        ContentRemoved => "DECISION_VISIBILITY_CONTENT_REMOVED",
        Other => "DECISION_VISIBILITY_OTHER",
    }
);

vocabulary!(
    /// A restriction of monetary payments.
    Monetary, "DECISION_MONETARIES", {
        Other => "DECISION_MONETARY_OTHER",
        Suspension => "DECISION_MONETARY_SUSPENSION",
        Termination => "DECISION_MONETARY_TERMINATION",
    }
);

vocabulary!(
    /// A suspension or termination of the service.
    Provision, "DECISION_PROVISIONS", {
        PartialSuspension => "DECISION_PROVISION_PARTIAL_SUSPENSION",
        PartialTermination => "DECISION_PROVISION_PARTIAL_TERMINATION",
        TotalSuspension => "DECISION_PROVISION_TOTAL_SUSPENSION",
        TotalTermination => "DECISION_PROVISION_TOTAL_TERMINATION",
    }
);

vocabulary!(
    /// A suspension or termination of the account.
    AccountAction, "DECISION_ACCOUNTS", {
        Suspended => "DECISION_ACCOUNT_SUSPENDED",
        Terminated => "DECISION_ACCOUNT_TERMINATED",
    }
);

vocabulary!(
    /// The kind of account that posted the content.
    AccountType, "ACCOUNT_TYPES", {
        Business => "ACCOUNT_TYPE_BUSINESS",
        Private => "ACCOUNT_TYPE_PRIVATE",
    }
);

vocabulary!(
    /// A specification keyword of a statement category.
    Keyword, "KEYWORDS", {
        AdultSexualMaterial => "KEYWORD_ADULT_SEXUAL_MATERIAL",
        AgeSpecificRestrictions => "KEYWORD_AGE_SPECIFIC_RESTRICTIONS",
        AgeSpecificRestrictionsMinors => "KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS",
        AnimalHarm => "KEYWORD_ANIMAL_HARM",
        BiometricDataBreach => "KEYWORD_BIOMETRIC_DATA_BREACH",
        BullyingAgainstGirls => "KEYWORD_BULLYING_AGAINST_GIRLS",
        ChildSexualAbuseMaterial => "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
        ChildSexualAbuseMaterialDeepfake => "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
        ContentPromotingEatingDisorders => "KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS",
        CoordinatedHarm => "KEYWORD_COORDINATED_HARM",
        CopyrightInfringement => "KEYWORD_COPYRIGHT_INFRINGEMENT",
        CyberBullyingIntimidation => "KEYWORD_CYBER_BULLYING_INTIMIDATION",
        CyberHarassment => "KEYWORD_CYBER_HARASSMENT",
        CyberHarassmentAgainstWomen => "KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN",
        CyberIncitement => "KEYWORD_CYBER_INCITEMENT",
        CyberStalking => "KEYWORD_CYBER_STALKING",
        CyberStalkingAgainstWomen => "KEYWORD_CYBER_STALKING_AGAINST_WOMEN",
        DataFalsification => "KEYWORD_DATA_FALSIFICATION",
        Defamation => "KEYWORD_DEFAMATION",
        DesignInfringement => "KEYWORD_DESIGN_INFRINGEMENT",
        Discrimination => "KEYWORD_DISCRIMINATION",
        FemaleGenderedDisinformation => "KEYWORD_FEMALE_GENDERED_DISINFORMATION",
        GeographicalRequirements => "KEYWORD_GEOGRAPHICAL_REQUIREMENTS",
        GeographicIndicationsInfringement => "KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT",
        GoodsServicesNotPermitted => "KEYWORD_GOODS_SERVICES_NOT_PERMITTED",
        GroomingSexualEnticementMinors => "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",
        HateSpeech => "KEYWORD_HATE_SPEECH",
        HiddenAdvertisement => "KEYWORD_HIDDEN_ADVERTISEMENT",
        HumanExploitation => "KEYWORD_HUMAN_EXPLOITATION",
        HumanTrafficking => "KEYWORD_HUMAN_TRAFFICKING",
        IllegalOrganizations => "KEYWORD_ILLEGAL_ORGANIZATIONS",
        ImpersonationAccountHijacking => "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING",
        InauthenticAccounts => "KEYWORD_INAUTHENTIC_ACCOUNTS",
        InauthenticListings => "KEYWORD_INAUTHENTIC_LISTINGS",
        InauthenticUserReviews => "KEYWORD_INAUTHENTIC_USER_REVIEWS",
        IncitementAgainstWomen => "KEYWORD_INCITEMENT_AGAINST_WOMEN",
        IncitementViolenceHatred => "KEYWORD_INCITEMENT_VIOLENCE_HATRED",
        InsufficientInformationOnTraders => "KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS",
        LanguageRequirements => "KEYWORD_LANGUAGE_REQUIREMENTS",
        MisinformationDisinformation => "KEYWORD_MISINFORMATION_DISINFORMATION",
        MisleadingInfoConsumerRights => "KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS",
        MisleadingInfoGoodsServices => "KEYWORD_MISLEADING_INFO_GOODS_SERVICES",
        MissingProcessingGround => "KEYWORD_MISSING_PROCESSING_GROUND",
        NoncompliancePricing => "KEYWORD_NONCOMPLIANCE_PRICING",
        NonConsensualImageSharing => "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
        NonConsensualImageSharingAgainstWomen => "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN",
        NonConsensualMaterialDeepfake => "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",
        NonConsensualMaterialDeepfakeAgainstWomen => "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
        Nudity => "KEYWORD_NUDITY",
        Other => "KEYWORD_OTHER",
        PatentInfringement => "KEYWORD_PATENT_INFRINGEMENT",
        Phishing => "KEYWORD_PHISHING",
        ProhibitedProducts => "KEYWORD_PROHIBITED_PRODUCTS",
        PyramidSchemes => "KEYWORD_PYRAMID_SCHEMES",
        RightToBeForgotten => "KEYWORD_RIGHT_TO_BE_FORGOTTEN",
        RiskEnvironmentalDamage => "KEYWORD_RISK_ENVIRONMENTAL_DAMAGE",
        RiskPublicHealth => "KEYWORD_RISK_PUBLIC_HEALTH",
        SelfMutilation => "KEYWORD_SELF_MUTILATION",
        Stalking => "KEYWORD_STALKING",
        Suicide => "KEYWORD_SUICIDE",
        TerroristContent => "KEYWORD_TERRORIST_CONTENT",
        TrademarkInfringement => "KEYWORD_TRADEMARK_INFRINGEMENT",
        TradeSecretInfringement => "KEYWORD_TRADE_SECRET_INFRINGEMENT",
        TraffickingWomenGirls => "KEYWORD_TRAFFICKING_WOMEN_GIRLS",
        UnlawfulSaleAnimals => "KEYWORD_UNLAWFUL_SALE_ANIMALS",
        UnsafeChallenges => "KEYWORD_UNSAFE_CHALLENGES",
        UnsafeProducts => "KEYWORD_UNSAFE_PRODUCTS",
        ViolationEuLaw => "KEYWORD_VIOLATION_EU_LAW",
        ViolationNationalLaw => "KEYWORD_VIOLATION_NATIONAL_LAW",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        for k in Keyword::ALL {
            assert_eq!(k.as_str().parse::<Keyword>().as_ref(), Ok(k));
        }
        assert_eq!(StatementCategory::ALL.len(), 16);
        assert_eq!(Keyword::ALL.len(), 69);
    }

    #[test]
    fn a_typo_is_refused_with_near_values() {
        let err = "STATEMENT_CATEGORY_VIOLENT"
            .parse::<StatementCategory>()
            .unwrap_err();
        assert!(
            err.to_string().contains("STATEMENT_CATEGORY_VIOLENCE"),
            "{err}"
        );
        let err = "KEYWORD_HATE".parse::<Keyword>().unwrap_err();
        assert!(err.to_string().contains("KEYWORD_HATE_SPEECH"), "{err}");
    }
}
