//! National clouds: each has its own login host, Graph host and token scope, and a
//! token of one cloud is worthless in another, so they are chosen together.

use crate::error::Error;

/// A Microsoft cloud (the `cloud` config key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Cloud {
    /// Worldwide Microsoft 365, including GCC.
    #[default]
    Global,
    /// US Government L4 (GCC High).
    UsGov,
    /// US Government L5 (DoD).
    UsGovDod,
    /// Microsoft 365 operated by 21Vianet.
    China,
}

impl Cloud {
    /// Every cloud, in the order a setup dialog offers them (`O365\Config::clouds()`).
    pub const ALL: [Cloud; 4] = [Cloud::Global, Cloud::UsGov, Cloud::UsGovDod, Cloud::China];

    /// Parses the `cloud` config value.
    pub fn parse(name: &str) -> Result<Cloud, Error> {
        match name.to_ascii_lowercase().as_str() {
            "global" | "public" | "" => Ok(Cloud::Global),
            "usgov" | "gcc-high" | "gcchigh" => Ok(Cloud::UsGov),
            "usgov-dod" | "dod" => Ok(Cloud::UsGovDod),
            "china" => Ok(Cloud::China),
            other => {
                let names: Vec<&str> = Cloud::ALL.iter().map(|c| c.name()).collect();
                Err(Error::config("cloud", format!("unknown cloud `{other}`; use one of {}", names.join(", "))))
            }
        }
    }

    /// The config name of this cloud.
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::UsGov => "usgov",
            Cloud::UsGovDod => "usgov-dod",
            Cloud::China => "china",
        }
    }

    /// Microsoft's name of this cloud, for people choosing one.
    pub fn label(self) -> &'static str {
        match self {
            Cloud::Global => "Global (incl. GCC)",
            Cloud::UsGov => "US Government L4 (GCC High)",
            Cloud::UsGovDod => "US Government L5 (DoD)",
            Cloud::China => "China (21Vianet)",
        }
    }

    /// Base URL of the Entra login service.
    pub fn login_endpoint(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::UsGov | Cloud::UsGovDod => "https://login.microsoftonline.us",
            Cloud::China => "https://login.partner.microsoftonline.cn",
        }
    }

    /// Base URL of Microsoft Graph.
    pub fn graph_endpoint(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::UsGov => "https://graph.microsoft.us",
            Cloud::UsGovDod => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_match_microsofts_hosts() {
        assert_eq!(Cloud::parse("usgov-dod").unwrap().graph_endpoint(), "https://dod-graph.microsoft.us");
        assert_eq!(Cloud::parse("china").unwrap().login_endpoint(), "https://login.partner.microsoftonline.cn");
        assert_eq!(Cloud::parse("GLOBAL").unwrap(), Cloud::Global);
        let err = Cloud::parse("mars").unwrap_err();
        assert!(err.to_string().contains("use one of global, usgov, usgov-dod, china"), "{err}");
        for c in Cloud::ALL {
            assert_eq!(Cloud::parse(c.name()).unwrap(), c);
        }
    }
}
