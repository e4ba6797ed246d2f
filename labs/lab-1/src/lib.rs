//! lab-1
