//! The attribute catalog: every attribute's name, packages, unit, category and one-line
//! definition, and how the engine computes it.
//!
//! Attributes come in families: a flow (`flows`: which transactions: payroll deposits, loan
//! payments, merchant-service payouts…) crossed with aggregations (`families`: sums and counts
//! per calendar month or per window, monthly averages, trends, frequencies…). A name template
//! such as `sum_{k}_{w}` gives each member its Flinks name (flinks-api.md §4.4 where Flinks
//! documents one, the §4.5 grammar otherwise), and the same row gives its unit, definition and
//! computation, so the catalog cannot drift from what the engine returns. The package builders
//! (`packages`) list which families each package holds; a package that holds another (User
//! Analysis holds Income and Credit Risk) calls its builder.

use std::collections::HashMap;
use std::sync::OnceLock;

use families::Registry;
use packages::{business_analysis, credit_risk, income, lending, user_analysis};

mod families;
mod flows;
mod packages;
mod spec;

pub use spec::{Package, Spec, Unit};

/// Every attribute, and which of them each package returns in which order.
#[derive(Debug)]
pub struct Catalog {
    specs: Vec<Spec>,
    index: HashMap<String, usize>,
    members: HashMap<Package, Vec<usize>>,
}

/// The catalog, built once.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(build)
}

impl Catalog {
    /// Every attribute, in the All package's order.
    pub fn specs(&self) -> &[Spec] {
        &self.specs
    }

    /// The attribute of that name, in any case.
    pub fn get(&self, name: &str) -> Option<&Spec> {
        self.index
            .get(&name.trim().to_ascii_lowercase())
            .map(|&i| &self.specs[i])
    }

    /// A package's attributes in its order.
    pub fn package(&self, package: Package) -> impl Iterator<Item = &Spec> {
        let members: &[usize] = match package {
            Package::All => &[],
            p => &self.members[&p],
        };
        let all = (package == Package::All).then_some(self.specs.iter());
        members
            .iter()
            .map(|&i| &self.specs[i])
            .chain(all.into_iter().flatten())
    }
}

fn build() -> Catalog {
    let mut r = Registry::default();
    r.build(Package::Income, income);
    r.build(Package::CreditRisk, credit_risk);
    r.build(Package::UserAnalysis, user_analysis);
    r.build(Package::Lending, lending);
    r.build(Package::BusinessAnalysis, business_analysis);
    for spec in &mut r.specs {
        spec.packages.sort_unstable();
        spec.packages.push(Package::All);
    }
    Catalog {
        specs: r.specs,
        index: r.index,
        members: r.members,
    }
}

#[cfg(test)]
mod tests;
