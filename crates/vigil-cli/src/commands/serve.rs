//! `vigil serve`: the scanning service on the embedded store, the default
//! (or given) policy and the shipped text models, with the cascade when the
//! transformer is installed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use vigil_cli::home::Home;
use vigil_engine::{CascadeModels, Engine, Limits, PolicyState, TextScorer};
use vigil_image::nudity::NudityDetector;
use vigil_server::{log, ServeConfig};
use vigil_store::Store;

/// The flags that build an engine: models, policy, input limits, OCR, the
/// nudity detector. Shared by `vigil serve` and `vigil scan`.
#[derive(Debug, clap::Args)]
pub struct EngineArgs {
    /// The policy file (`vigil serve` watches it and reloads it when it changes).
    #[arg(long, default_value = "policies/default.toml")]
    policy: PathBuf,
    /// A text-linear model folder. Default: the registry's active
    /// text-linear model (`vigil promote`), else the model shipped with Vigil.
    #[arg(long)]
    model: Option<PathBuf>,
    /// A transformer head folder. Default: the head shipped with Vigil
    /// (fitted on the shipped linear model, so the cascade is off when the
    /// registry supplies the linear model and no head is given).
    #[arg(long)]
    head: Option<PathBuf>,
    /// The transformer's folder. Default: HOME/models/all-minilm-l6-v2.
    #[arg(long)]
    embedder: Option<PathBuf>,
    /// The uncertain band of the linear `unsafe` probability in which the
    /// transformer is consulted, `LOW,HIGH`. The serving default is narrow
    /// (about 0.5% of the public test texts fall in it), so that the p99
    /// latency holds at 1,000 scans/s on 2 cores; widen it on bigger
    /// machines (the head's own band, for batch work, is 0.1,0.9).
    #[arg(long, value_parser = crate::commands::train::parse_band, default_value = "0.59,0.61")]
    band: (f32, f32),
    /// Run the linear model alone, without the transformer cascade.
    #[arg(long)]
    no_cascade: bool,
    /// The tesseract program that reads text in images.
    #[arg(long, default_value = "tesseract")]
    tesseract: PathBuf,
    /// Do not read text in images (decisions say OCR did not run).
    #[arg(long)]
    no_ocr: bool,
    /// NudeNet's 320n ONNX model (AGPL-3.0, installed by
    /// `scripts/setup.sh --with-nudenet`). Default:
    /// HOME/models/nudenet/320n.onnx.
    #[arg(long, value_name = "PATH")]
    nudenet: Option<PathBuf>,
    /// Do not look for nudity in images (decisions say the detector did not
    /// run).
    #[arg(long)]
    no_nudity: bool,
    /// The ffmpeg program that decodes video (ffprobe is looked for beside
    /// it). Default: `ffmpeg` on the PATH.
    #[arg(long, value_name = "PATH")]
    ffmpeg: Option<PathBuf>,
    /// Do not decode video (decisions say so, and send videos to review).
    #[arg(long)]
    no_video: bool,
    /// The pocketsphinx_continuous program that transcribes speech.
    /// Default: on the PATH.
    #[arg(long, value_name = "PATH")]
    pocketsphinx: Option<PathBuf>,
    /// Do not transcribe speech (decisions say speech was not transcribed).
    #[arg(long)]
    no_asr: bool,
    /// A fusion stacker trained by `vigil train fusion`: one calibrated
    /// score per category from every modality's signals. Default: the
    /// highest signal of each category.
    #[arg(long, value_name = "PATH")]
    fusion: Option<PathBuf>,
    /// Longest audio decoded, in seconds.
    #[arg(long, default_value_t = Limits::default().max_media_seconds)]
    max_media_seconds: f64,
    /// Longest text, in characters.
    #[arg(long, default_value_t = Limits::default().max_text_chars)]
    max_text_chars: usize,
    /// Largest decoded media attachment, in bytes.
    #[arg(long, default_value_t = Limits::default().max_media_bytes)]
    max_media_bytes: usize,
    /// Most pixels in an image (width × height).
    #[arg(long, default_value_t = Limits::default().max_pixels)]
    max_pixels: u64,
}

impl EngineArgs {
    /// Raises the engine's attachment limit to at least `bytes`, for an
    /// engine that scans jobs (whose media may exceed `--max-media-bytes`);
    /// returns `--max-media-bytes` as given, the limit of scans answered at
    /// once.
    pub fn allow_job_media_bytes(&mut self, bytes: usize) -> usize {
        let given = self.max_media_bytes;
        self.max_media_bytes = given.max(bytes);
        given
    }

    /// Loads the models and the policy; warns (on stderr) about optional
    /// parts that are missing. `db` is the store whose model registry is
    /// consulted when no `--model` is given.
    pub fn build(&self, home: &Home, db: Option<&str>) -> Result<Engine> {
        let policy = PolicyState::load(&self.policy)
            .map_err(|e| anyhow::anyhow!("the policy does not load:\n{e}"))?;
        let linear = crate::commands::registry::resolve_linear(home, self.model.as_deref(), db)?;
        if let Some(id) = &linear.registered {
            log("info", format_args!("text model: {id} from the registry"));
        }
        let embedder = self
            .embedder
            .clone()
            .unwrap_or_else(|| home.model_dir().join("all-minilm-l6-v2"));
        let cascade = if self.no_cascade {
            None
        } else if linear.registered.is_some() && self.head.is_none() {
            log(
                "warn",
                "the shipped transformer head was fitted on the shipped linear model, not on the registry's: the linear model runs alone (give --head fitted on it for the cascade)",
            );
            None
        } else if embedder.join("model.safetensors").is_file() || self.embedder.is_some() {
            Some(CascadeModels {
                head: self.head.clone(),
                embedder,
                band: Some(self.band),
            })
        } else {
            log(
                "warn",
                format_args!(
                    "the transformer is not installed in {} (run scripts/setup.sh): the linear model runs alone; /readyz says cascade=false",
                    embedder.display()
                ),
            );
            None
        };
        let text = TextScorer::load(&linear.text_models(cascade))?;
        let limits = Limits {
            max_text_chars: self.max_text_chars,
            max_media_bytes: self.max_media_bytes,
            max_pixels: self.max_pixels,
            max_media_seconds: self.max_media_seconds,
            ..Limits::default()
        };
        let ocr = if self.no_ocr {
            Err("OCR is switched off (--no-ocr)".to_owned())
        } else {
            vigil_image::ocr::Ocr::find(&self.tesseract).map_err(|e| e.to_string())
        };
        if let Err(why) = &ocr {
            log(
                "warn",
                format_args!("text in images will not be read: {why}"),
            );
        }
        let ffmpeg = if self.no_video {
            Err("video decoding is switched off (--no-video)".to_owned())
        } else {
            vigil_video::Ffmpeg::locate(self.ffmpeg.as_deref()).map_err(|e| e.to_string())
        };
        if let Err(why) = &ffmpeg {
            log(
                "warn",
                format_args!("videos will not be decoded (and go to review): {why}"),
            );
        }
        let asr: Result<Arc<dyn vigil_audio::SpeechToText>, String> = if self.no_asr {
            Err("speech to text is switched off (--no-asr)".to_owned())
        } else {
            vigil_audio::Pocketsphinx::locate(self.pocketsphinx.as_deref())
                .map(|p| Arc::new(p) as Arc<dyn vigil_audio::SpeechToText>)
                .map_err(|e| e.to_string())
        };
        if let Err(why) = &asr {
            log(
                "warn",
                format_args!("speech will not be transcribed: {why}"),
            );
        }
        Ok(Engine::new(text, policy, limits)
            .with_ocr(ocr)
            .with_nudity(self.nudity(home))
            .with_ffmpeg(ffmpeg)
            .with_asr(asr)
            .with_stacker(match &self.fusion {
                Some(path) => Some(Arc::new(vigil_engine::Stacker::load(path)?)),
                None => None,
            }))
    }

    /// The nudity detector, or why it does not run (with a warning on
    /// stderr): a missing or unusable model is not an error.
    fn nudity(&self, home: &Home) -> Result<Arc<NudityDetector>, String> {
        if self.no_nudity {
            return Err("the nudity detector is switched off (--no-nudity)".to_owned());
        }
        let path = self
            .nudenet
            .clone()
            .unwrap_or_else(|| home.model_dir().join("nudenet/320n.onnx"));
        if path.is_file() {
            NudityDetector::load(&path).map(Arc::new).map_err(|e| {
                log(
                    "warn",
                    format_args!("images will not be checked for nudity: {e}"),
                );
                // Decisions name the failure, not the server's paths.
                "the nudity model did not load (see the server's log)".to_owned()
            })
        } else {
            log(
                "warn",
                format_args!(
                    "images will not be checked for nudity: {} is absent (run scripts/setup.sh --with-nudenet)",
                    path.display()
                ),
            );
            Err("the nudity model is not installed: run scripts/setup.sh --with-nudenet".to_owned())
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; use 0.0.0.0:PORT to expose).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The decision log: a SQLite path or `sqlite://PATH`. Default: HOME/vigil.db.
    #[arg(long, value_name = "URL")]
    db: Option<String>,
    #[command(flatten)]
    engine: EngineArgs,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    max_body_bytes: usize,
    /// Most items per batch request.
    #[arg(long, default_value_t = 100)]
    max_batch: usize,
    /// Time allowed per request, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    timeout_ms: u64,
    /// Delete decisions older than this many days (checked hourly). Default:
    /// the policy's `[log] retention_days`, else keep.
    #[arg(long)]
    retention_days: Option<u64>,
    /// How often to check the policy file and the hash banks for changes,
    /// in milliseconds (0: never).
    #[arg(long, default_value_t = 1000)]
    reload_ms: u64,
    /// An item with an audio or video attachment over this many decoded
    /// bytes is queued as a job (202 Accepted, GET /v1/jobs/ID) instead of
    /// being scanned in its request.
    #[arg(long, default_value_t = ServeConfig::default().job_over_bytes)]
    job_over_bytes: usize,
    /// Largest decoded audio or video attachment of a job, in bytes.
    #[arg(long, default_value_t = ServeConfig::default().max_job_media_bytes)]
    max_job_media_bytes: usize,
    /// Job workers in this process (0: jobs wait for `vigil worker`).
    #[arg(long, default_value_t = ServeConfig::default().workers)]
    workers: usize,
    /// A registered model (`NAME@VERSION`, see `vigil models list`) to run
    /// in shadow: it scores the text of every item scanned in a request,
    /// after the decision is answered, and its scores are stored for
    /// `vigil models shadow-report`. Decisions are unchanged.
    #[arg(long, value_name = "NAME@VERSION")]
    shadow: Option<crate::commands::registry::ModelRef>,
}

pub fn run(home: &Home, mut args: ServeArgs) -> Result<ExitCode> {
    // The engine scans jobs too; scans answered at once keep the flag's limit.
    let max_media_bytes = args.engine.allow_job_media_bytes(args.max_job_media_bytes);
    let engine = Arc::new(
        args.engine
            .build(home, args.db.as_deref())
            .context("the service does not start")?,
    );
    let mut config = ServeConfig {
        listen: args.listen,
        max_body_bytes: args.max_body_bytes,
        max_batch: args.max_batch,
        request_timeout: Duration::from_millis(args.timeout_ms),
        reload_every: (args.reload_ms > 0).then(|| Duration::from_millis(args.reload_ms)),
        retention: args
            .retention_days
            .map(|d| Duration::from_secs(d.saturating_mul(86_400))),
        max_media_bytes,
        job_over_bytes: args.job_over_bytes,
        max_job_media_bytes: args.max_job_media_bytes,
        workers: args.workers,
        shadow: None,
    };
    let url = home.store_url(args.db.as_deref());
    if args.db.is_none() {
        home.create()
            .with_context(|| format!("cannot create {}", home.root().display()))?;
    }
    let runtime = crate::commands::store::runtime()?;
    runtime.block_on(async move {
        let store = Store::open(&url)
            .await
            .with_context(|| format!("cannot open the decision log {url}"))?;
        if let Some(model) = &args.shadow {
            config.shadow = Some(Arc::new(shadow_model(&store, model).await?));
            log("info", format_args!("{model} runs in shadow"));
        }
        let (name, version) = engine.text().name_version();
        let p = engine.policy();
        vigil_server::serve(engine.clone(), store.clone(), config, |addr| {
            log(
                "info",
                format_args!(
                    "listening on http://{addr} (policy {} {}, model {name} {version}, cascade {}, log {url})",
                    p.policy.version.name,
                    p.policy.version.version,
                    if engine.text().has_cascade() { "on" } else { "off" }
                ),
            );
        })
        .await
        .context("the server stopped with an error")?;
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// The registered model `model`, loaded (its folder's digest checked) to
/// run in shadow: the linear model alone.
async fn shadow_model(
    store: &Store,
    model: &crate::commands::registry::ModelRef,
) -> Result<vigil_server::ShadowModel> {
    let registered = store
        .get_model(&model.name, &model.version)
        .await?
        .with_context(|| format!("no model {model} is registered (see `vigil models list`)"))?;
    let choice = crate::commands::registry::LinearChoice {
        path: Some(registered.path.clone()),
        digest: Some(registered.digest.clone()),
        registered: Some(registered.id()),
    };
    let scorer = TextScorer::load(&choice.text_models(None))
        .with_context(|| format!("the shadow model {model} does not load"))?;
    Ok(vigil_server::ShadowModel::new(scorer))
}
