//! Active learning: choosing the unlabelled items whose labels teach a model most.
