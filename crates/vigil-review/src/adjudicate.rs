//! Adjudication: several reviewers' verdicts on one item become one set of labels.
