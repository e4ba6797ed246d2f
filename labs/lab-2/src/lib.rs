//! lab-2
