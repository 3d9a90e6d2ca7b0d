//! The shop presets; a leaf module so the data map and the configuration share it without a cycle.

/// The shop whose tables the extension reads and erases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shop {
    None,
    OsCommerce,
    ZenCart,
    Modified,
    Gambio,
}

impl Shop {
    pub const ALL: [Shop; 5] = [
        Shop::None,
        Shop::OsCommerce,
        Shop::ZenCart,
        Shop::Modified,
        Shop::Gambio,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Shop::None => "none",
            Shop::OsCommerce => "oscommerce",
            Shop::ZenCart => "zencart",
            Shop::Modified => "modified",
            Shop::Gambio => "gambio",
        }
    }
}
