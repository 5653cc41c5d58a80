//! The model registry as the commands use it: `NAME@VERSION`, registering
//! a trained folder (copied under HOME/models/registry so that the registry
//! owns it), and the one rule for which text-linear model a command scores
//! with: an explicit `--model` folder, else the registry's active
//! text-linear model (the latest promoted), else the model shipped inside
//! Vigil.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{bail, Context, Result};
use vigil_cli::home::Home;
use vigil_store::{ModelKind, NewModel, RegisteredModel, Store};
use vigil_text::linear::artifact::{folder_digest, MANIFEST_FILE, WEIGHTS_FILE};
use vigil_text::linear::LinearModel;

/// A registered model named as `NAME@VERSION`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRef {
    /// The model's name.
    pub name: String,
    /// Its version.
    pub version: String,
}

impl FromStr for ModelRef {
    type Err = String;

    fn from_str(s: &str) -> Result<ModelRef, String> {
        match s.split_once('@') {
            Some((name, version)) if !name.is_empty() && !version.is_empty() => Ok(ModelRef {
                name: name.to_owned(),
                version: version.to_owned(),
            }),
            _ => Err(format!("`{s}` is not NAME@VERSION")),
        }
    }
}

impl fmt::Display for ModelRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.name, self.version)
    }
}

/// Which text-linear model to load, and from where it was chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinearChoice {
    /// The folder; `None`: the model shipped inside Vigil.
    pub path: Option<PathBuf>,
    /// The digest the folder must have (a registered model's).
    pub digest: Option<String>,
    /// `NAME@VERSION` when the registry chose it.
    pub registered: Option<String>,
}

impl LinearChoice {
    /// The text models to load for this choice, with `cascade`.
    pub fn text_models(
        &self,
        cascade: Option<vigil_engine::CascadeModels>,
    ) -> vigil_engine::TextModels {
        vigil_engine::TextModels {
            linear: self.path.clone(),
            linear_digest: self.digest.clone(),
            cascade,
        }
    }
}

/// The text-linear model a command scores with: `explicit` (a `--model`
/// folder), else the registry's latest promoted active text-linear model in
/// the store `db` names (HOME/vigil.db by default; a home without a store
/// has no registry), else the shipped model.
pub fn resolve_linear(
    home: &Home,
    explicit: Option<&Path>,
    db: Option<&str>,
) -> Result<LinearChoice> {
    if let Some(dir) = explicit {
        return Ok(LinearChoice {
            path: Some(dir.to_owned()),
            ..LinearChoice::default()
        });
    }
    if db.is_none() && !home.store_path().is_file() {
        return Ok(LinearChoice::default());
    }
    let url = home.store_url(db);
    let active = crate::commands::store::runtime()?.block_on(async {
        let store = Store::open(&url).await?;
        let active = store.latest_active_model(ModelKind::TextLinear).await;
        store.close().await;
        active
    });
    let active = active.with_context(|| format!("cannot read the model registry in {url}"))?;
    Ok(match active {
        Some(m) => LinearChoice {
            registered: Some(m.id()),
            path: Some(m.path),
            digest: Some(m.digest),
        },
        None => LinearChoice::default(),
    })
}

/// A name or version usable as one folder name: letters, digits, `.`, `_`,
/// `+` and `-`, not starting with a dot.
fn check_path_part(what: &str, value: &str) -> Result<()> {
    let ok = !value.is_empty()
        && !value.starts_with('.')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-'));
    if !ok {
        bail!("the model's {what} `{value}` cannot be registered: use letters, digits, `.`, `_`, `+` and `-`, not starting with a dot");
    }
    Ok(())
}

/// Registers the text-linear model folder `src` as a candidate: its files
/// are copied to HOME/models/registry/NAME/VERSION (the name and version
/// from its manifest), their digest taken, and the registry told of it
/// with the training data the manifest names, in the store at `url`.
pub fn register_folder(home: &Home, url: &str, src: &Path) -> Result<RegisteredModel> {
    let (_, manifest) = LinearModel::load(src)
        .with_context(|| format!("{} is not a text-linear model folder", src.display()))?;
    check_path_part("name", &manifest.name)?;
    check_path_part("version", &manifest.version)?;
    let dest = home
        .registry_dir()
        .join(&manifest.name)
        .join(&manifest.version);
    if dest.exists() {
        bail!(
            "{} exists already: {}@{} is registered (give the model another --version)",
            dest.display(),
            manifest.name,
            manifest.version
        );
    }
    std::fs::create_dir_all(&dest).with_context(|| format!("cannot create {}", dest.display()))?;
    let registered = copy_and_register(url, src, &dest, &manifest);
    if registered.is_err() {
        // Leave no folder the registry does not know about.
        let _ = std::fs::remove_dir_all(&dest);
    }
    registered
}

fn copy_and_register(
    url: &str,
    src: &Path,
    dest: &Path,
    manifest: &vigil_text::linear::Manifest,
) -> Result<RegisteredModel> {
    for file in [MANIFEST_FILE, WEIGHTS_FILE] {
        std::fs::copy(src.join(file), dest.join(file))
            .with_context(|| format!("cannot copy {} into {}", file, dest.display()))?;
    }
    let digest = folder_digest(dest)?;
    if folder_digest(src)? != digest {
        bail!(
            "{} changed while it was copied into the registry",
            src.display()
        );
    }
    let training_data = serde_json::to_string(
        &manifest
            .training_data
            .iter()
            .map(|d| {
                serde_json::json!({
                    "name": d.name,
                    "version": d.version,
                    "items_sha256": d.items_sha256,
                })
            })
            .collect::<Vec<_>>(),
    )?;
    let new = NewModel {
        name: manifest.name.clone(),
        version: manifest.version.clone(),
        kind: ModelKind::TextLinear,
        path: std::path::absolute(dest)
            .with_context(|| format!("cannot make {} absolute", dest.display()))?,
        digest,
        training_data,
    };
    crate::commands::store::runtime()?.block_on(async {
        let store = Store::open(url)
            .await
            .with_context(|| format!("cannot open the model registry in {url}"))?;
        let registered = match store.register_model(&new).await {
            Ok(()) => store.get_model(&new.name, &new.version).await,
            Err(e) => Err(e),
        };
        store.close().await;
        registered?.context("the model just registered is not in the registry")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_refs_need_a_name_and_a_version() {
        let r: ModelRef = "text-linear@20250101.1200".parse().expect("parses");
        assert_eq!(
            (r.name.as_str(), r.version.as_str()),
            ("text-linear", "20250101.1200")
        );
        assert_eq!(r.to_string(), "text-linear@20250101.1200");
        for bad in ["text-linear", "@1", "name@", ""] {
            assert!(bad.parse::<ModelRef>().is_err(), "{bad}");
        }
    }

    #[test]
    fn registry_folder_names_are_checked() {
        assert!(check_path_part("version", "2025.1_a+b-c").is_ok());
        for bad in ["..", ".hidden", "a/b", "a b", ""] {
            assert!(check_path_part("version", bad).is_err(), "{bad}");
        }
    }
}
