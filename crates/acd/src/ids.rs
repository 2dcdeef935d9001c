use std::collections::HashMap;
use std::hash::Hash;

/// A two-way map between store ids (strings) and engine handles (integers).
/// Handles are dense and never reused while the process runs.
#[derive(Debug)]
pub struct Interner<H> {
    by_name: HashMap<String, H>,
    names: Vec<String>,
}

impl<H: Copy + Eq + Hash> Interner<H> {
    pub fn new() -> Self {
        Interner { by_name: HashMap::new(), names: Vec::new() }
    }

    /// The handle for `name`, made on first use.
    pub fn intern(&mut self, name: &str, make: impl FnOnce(u32) -> H) -> H {
        if let Some(h) = self.by_name.get(name) {
            return *h;
        }
        let h = make(self.names.len() as u32);
        self.names.push(name.to_owned());
        self.by_name.insert(name.to_owned(), h);
        h
    }

    pub fn get(&self, name: &str) -> Option<H> {
        self.by_name.get(name).copied()
    }

    /// The name of a handle made by `make(index)`.
    pub fn name(&self, index: u32) -> &str {
        self.names.get(index as usize).map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_name_same_handle() {
        let mut i: Interner<u32> = Interner::new();
        let a = i.intern("sales", |n| n);
        let b = i.intern("support", |n| n);
        assert_eq!(i.intern("sales", |n| n), a);
        assert_ne!(a, b);
        assert_eq!(i.name(b), "support");
        assert_eq!(i.get("nope"), None);
    }
}
