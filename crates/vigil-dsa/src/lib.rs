//! EU Digital Services Act statements of reasons (work in progress).
