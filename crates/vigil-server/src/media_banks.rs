//! Video and audio banks in the server: read whole from the store at start
//! and again whenever the banks version moves (they are small; see
//! `vigil_engine::MediaBanks`).

use vigil_audio::Fingerprint;
use vigil_engine::{Engine, MediaBankEntry, MediaBanks, MediaContent};
use vigil_store::{BankKind, BankMedia, Store};
use vigil_video::vpdq::parse_vpdq;

/// Every enabled entry of every video and audio bank, parsed, at the
/// store's current banks version. An entry whose stored hash does not parse
/// is an error naming it: a bank is never matched with an entry left out.
pub async fn load_media_banks(store: &Store) -> Result<MediaBanks, String> {
    let snapshot = store
        .media_bank_snapshot()
        .await
        .map_err(|e| e.to_string())?;
    let version = snapshot.version;
    let kinds = snapshot.kinds;
    tokio::task::spawn_blocking(move || {
        let entries = snapshot
            .entries
            .into_iter()
            .map(|e| {
                let at = || format!("{} bank {} entry #{}", e.media, e.bank, e.id);
                let content = match e.media {
                    BankMedia::Video => MediaContent::Video(
                        parse_vpdq(&e.content).map_err(|err| format!("{}: {err}", at()))?,
                    ),
                    BankMedia::Audio => MediaContent::Audio(
                        Fingerprint::parse_values(&e.content, e.duration_s)
                            .map_err(|err| format!("{}: {err}", at()))?,
                    ),
                    BankMedia::Image => {
                        return Err(format!("{}: an image entry among media entries", at()))
                    }
                };
                Ok(MediaBankEntry {
                    id: e.id,
                    negative: kinds.get(&e.bank) == Some(&BankKind::Negative),
                    bank: e.bank,
                    label: e.label,
                    source: e.source,
                    content,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(MediaBanks::new(version, entries))
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Reloads the engine's video and audio banks when the store's banks
/// version differs from theirs; says what it did, if anything.
pub(crate) async fn refresh_media_banks(
    engine: &Engine,
    store: &Store,
) -> Result<Option<String>, String> {
    let version = store.banks_version().await.map_err(|e| e.to_string())?;
    if engine.media_banks().version() == version {
        return Ok(None);
    }
    let started = std::time::Instant::now();
    let fresh = load_media_banks(store).await?;
    let said = format!(
        "video and audio banks read from the store: {} entries at version {} in {:.1} ms",
        fresh.len(),
        fresh.version(),
        started.elapsed().as_secs_f64() * 1e3
    );
    engine.replace_media_banks(fresh);
    Ok(Some(said))
}
