//! Problem instances and codecs: the inputs that models encode (pattern sets; Ising, QUBO and
//! Max-Cut instances and their file formats).
