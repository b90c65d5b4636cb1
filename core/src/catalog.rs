//! The StackQL view (filled in below).
