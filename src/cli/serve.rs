//! `hoclieu serve`: the author preview (build, watch, reload), or with `--static DIR`
//! LAN hosting of a built site or an unpacked pack.

use super::EXIT_OK;
use crate::serve::{self, Listen};
use crate::Error;
use clap::Args;
use std::net::IpAddr;
use std::path::PathBuf;

/// Port of the author preview unless `--port` says otherwise.
pub const PREVIEW_PORT: u16 = 1111;
/// Port of LAN hosting unless `--port` says otherwise (ports under 1024 need root).
pub const STATIC_PORT: u16 = 8080;

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[arg(long = "static", value_name = "DIR")]
    static_dir: Option<PathBuf>,
    #[arg(long, default_value = ".", value_name = "DIR", conflicts_with = "static_dir")]
    root: PathBuf,
    #[arg(long, value_name = "ADDR", value_parser = serve::parse_bind)]
    bind: Option<IpAddr>,
    #[arg(long, value_name = "N")]
    port: Option<u16>,
    #[arg(long, conflicts_with = "static_dir")]
    drafts: bool,
    #[arg(long, requires = "static_dir")]
    list_dirs: bool,
    #[arg(long)]
    qr: bool,
}

pub fn run(args: ServeArgs) -> Result<i32, Error> {
    let default_port = if args.static_dir.is_some() { STATIC_PORT } else { PREVIEW_PORT };
    let mut listen = Listen::loopback(args.port.unwrap_or(default_port));
    if let Some(ip) = args.bind {
        listen.ip = ip;
    }
    match args.static_dir {
        Some(dir) => serve::run_static(serve::StaticOptions { dir, listen, list_dirs: args.list_dirs, qr: args.qr })?,
        None => serve::preview::run(serve::preview::PreviewOptions {
            root: args.root,
            listen,
            drafts: args.drafts,
            qr: args.qr,
        })?,
    }
    Ok(EXIT_OK)
}
