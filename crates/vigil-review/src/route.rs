//! Routing: whether a decision goes to the review queue, why, and how urgently.
