//! Storing patterns in an associative memory of the user's choice: the one place that maps a
//! model's name to the learning rule and the model that hold the patterns.

use crate::error::{Error, Result};
use crate::models::{DenseMemory, HopfieldMemory, Memory, ModernHopfield, Separation, Update};
use crate::problems::Patterns;
use std::str::FromStr;

/// The associative memories, by the name a user types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryModel {
    /// Classical Hopfield memory, Hebbian rule (Hopfield 1982): `hebbian`.
    Hebbian,
    /// Classical Hopfield memory, Storkey rule (Storkey 1997): `storkey`.
    Storkey,
    /// Classical Hopfield memory, pseudo-inverse rule (Personnaz et al. 1986): `pinv`.
    PseudoInverse,
    /// Dense associative memory (Krotov & Hopfield 2016; Demircigil et al. 2017): `dense`.
    Dense,
    /// Modern Hopfield memory (Ramsauer et al. 2020): `modern`.
    Modern,
}

impl MemoryModel {
    /// Every model with its name.
    pub const ALL: [(&'static str, MemoryModel); 5] = [
        ("hebbian", MemoryModel::Hebbian),
        ("storkey", MemoryModel::Storkey),
        ("pinv", MemoryModel::PseudoInverse),
        ("dense", MemoryModel::Dense),
        ("modern", MemoryModel::Modern),
    ];
    /// The name [`FromStr`] reads.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("?", |(n, _)| n)
    }
}

impl FromStr for MemoryModel {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_lowercase();
        Self::ALL
            .iter()
            .find(|(n, _)| *n == t || (t == "pseudo-inverse" && *n == "pinv"))
            .map(|(_, m)| *m)
            .ok_or_else(|| {
                Error::invalid(
                    "memory model",
                    s,
                    "use one of hebbian, storkey, pinv, dense, modern",
                )
            })
    }
}

/// A memory to build: the model and its parameters (the ones a model does not use are
/// ignored).
#[derive(Debug, Clone, PartialEq)]
pub struct MemorySpec {
    /// The model.
    pub model: MemoryModel,
    /// The separation function of the dense memory (default `xⁿ`, `n = 3`).
    pub separation: Separation,
    /// The inverse temperature of the modern memory (default 1).
    pub beta: f64,
    /// The update schedule of the classical memories (default asynchronous, seed 0); the dense
    /// memory takes the seed of its visiting order from it.
    pub update: Update,
    /// The most updates a recall takes (default 100, at least 1).
    pub max_sweeps: usize,
}

impl MemorySpec {
    /// `model` with the default parameters.
    pub fn new(model: MemoryModel) -> Self {
        Self {
            model,
            separation: Separation::Polynomial(3),
            beta: 1.0,
            update: Update::Asynchronous { seed: 0 },
            max_sweeps: 100,
        }
    }

    /// Store `patterns` in the memory this spec describes.
    ///
    /// ```
    /// use attractor::learn::{MemoryModel, MemorySpec};
    /// use attractor::problems::Patterns;
    /// let p = Patterns::random_binary(10, 64, 1)?;
    /// let mut spec = MemorySpec::new("modern".parse::<MemoryModel>()?);
    /// spec.beta = 0.5;
    /// let mem = spec.store(&p)?;
    /// assert_eq!(mem.name(), "modern β=0.5");
    /// # Ok::<(), attractor::Error>(())
    /// ```
    pub fn store(&self, patterns: &Patterns) -> Result<Box<dyn Memory>> {
        let (u, m) = (self.update, self.max_sweeps);
        Ok(match self.model {
            MemoryModel::Hebbian => Box::new(
                HopfieldMemory::hebbian(patterns)?
                    .with_update(u)
                    .with_max_sweeps(m)?,
            ),
            MemoryModel::Storkey => Box::new(
                HopfieldMemory::storkey(patterns)?
                    .with_update(u)
                    .with_max_sweeps(m)?,
            ),
            MemoryModel::PseudoInverse => Box::new(
                HopfieldMemory::pseudo_inverse(patterns)?
                    .with_update(u)
                    .with_max_sweeps(m)?,
            ),
            MemoryModel::Dense => {
                let seed = match u {
                    Update::Asynchronous { seed } => seed,
                    Update::Synchronous => 0,
                };
                Box::new(
                    DenseMemory::new(patterns, self.separation)?
                        .with_seed(seed)
                        .with_max_sweeps(m)?,
                )
            }
            MemoryModel::Modern => {
                Box::new(ModernHopfield::new(patterns, self.beta)?.with_max_iter(m)?)
            }
        })
    }
}
