//! lab-3
