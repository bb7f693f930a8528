//! # attractor
//!
//! Energy-based dynamical models: systems that compute by flowing downhill on an energy until
//! they settle in an attractor that encodes the answer (Montanari, Bullo, Krotov, Motter,
//! *Energy-Based Dynamical Models for Neurocomputation, Learning, and Optimization*,
//! arXiv:2604.05042).
//!
//! The library has three layers: an [`energy`] and a [`flow`] that descends it, a
//! [`step`]per that integrates the flow, and the [`run`] loop that decides when to stop and
//! returns a [`Solution`](run::Solution). Models ([`models`]) are plain data bound to their
//! scratch buffers by `flow()`.
//!
//! ```
//! use attractor::models::{Activation, HopfieldNetwork, random_symmetric_weights};
//! use attractor::run::{Run, Status};
//! use attractor::step::Dopri5;
//!
//! let net = HopfieldNetwork::new(random_symmetric_weights(50, 1.5, 42)?, Activation::Tanh)?;
//! let x0: Vec<f64> = (0..50).map(|i| (i as f64 * 0.37).sin()).collect();
//! let sol = Run::new(0.1)?
//!     .max_steps(10_000)
//!     .steady_state(1e-8, 1e-10)?
//!     .solve(&mut net.flow(), &mut Dopri5::new(1e-8, 1e-10)?, &x0)?;
//! assert_eq!(sol.status, Status::Converged);
//! assert!(sol.max_energy_increase.unwrap() <= 1e-9); // the energy is a Lyapunov function
//! # Ok::<(), attractor::Error>(())
//! ```

#![deny(missing_docs)]

pub mod analysis;
pub mod energy;
pub mod error;
pub mod fastmath;
pub mod flow;
pub mod input;
pub mod learn;
pub mod linalg;
pub mod markov;
pub mod memory;
pub mod models;
pub mod output;
pub mod problems;
pub mod prox;
pub mod rng;
pub mod run;
pub mod samplers;
pub mod schedule;
pub mod step;

pub use error::{Error, Result, format_number};
/// How a computation may run in parallel (faer's `Par`: `Par::Seq`, or `Par::rayon(k)` on rayon's
/// global pool), said one way across the library.
pub use faer::Par;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
