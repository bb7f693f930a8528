//! Learning rules: how the parameters of a model are set so that its energy minima sit where
//! the data are.
