//! `dcloud keys …`: add, recover, list, show, delete, export, import.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use clap::Subcommand;
use dcloud_crypto::keyring::KeyInfo;
use serde::Serialize;

use crate::ctx::{read_passphrase, read_stdin_line, Ctx};
use crate::output::{print_json, stdin_is_tty};

/// Env var holding the passphrase of exported keys.
const EXPORT_PASSPHRASE_ENV: &str = "DCLOUD_EXPORT_PASSPHRASE";

#[derive(Debug, Subcommand)]
pub(crate) enum KeysCmd {
    /// Create a key (prints its mnemonic once), or recover one with --recover.
    Add {
        /// Key name.
        name: String,
        /// Recover from a BIP39 mnemonic read from stdin (or a prompt on a terminal).
        #[arg(long)]
        recover: bool,
    },
    /// List all keys.
    List,
    /// Show a key.
    Show {
        /// Key name or address.
        name: String,
        /// Print only the address.
        #[arg(short = 'a', long)]
        address: bool,
    },
    /// Delete a key.
    Delete {
        /// Key name.
        name: String,
        /// Do not ask for confirmation.
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Print a key as an armored, passphrase-encrypted private key (passphrase from
    /// DCLOUD_EXPORT_PASSPHRASE or a prompt).
    Export {
        /// Key name.
        name: String,
    },
    /// Import a key exported with `keys export` (passphrase from DCLOUD_EXPORT_PASSPHRASE or a prompt).
    Import {
        /// New key name.
        name: String,
        /// File with the armored key (`-` for stdin).
        file: PathBuf,
    },
}

#[derive(Serialize)]
struct KeyOut<'a> {
    name: &'a str,
    address: String,
    pubkey: &'a str,
    #[serde(rename = "type")]
    key_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    mnemonic: Option<&'a str>,
}

impl<'a> KeyOut<'a> {
    fn new(k: &'a KeyInfo, mnemonic: Option<&'a str>) -> Self {
        Self {
            name: &k.name,
            address: k.address.to_string(),
            pubkey: &k.pubkey,
            key_type: &k.key_type,
            mnemonic,
        }
    }
}

fn print_key_text(k: &KeyInfo) {
    println!(
        "- name: {}\n  address: {}\n  pubkey: {}\n  type: {}",
        k.name, k.address, k.pubkey, k.key_type
    );
}

pub(crate) fn run(ctx: &Ctx, cmd: KeysCmd) -> anyhow::Result<()> {
    match cmd {
        KeysCmd::Add { name, recover } => add(ctx, &name, recover),
        KeysCmd::List => list(ctx),
        KeysCmd::Show { name, address } => show(ctx, &name, address),
        KeysCmd::Delete { name, yes } => delete(ctx, &name, yes),
        KeysCmd::Export { name } => export(ctx, &name),
        KeysCmd::Import { name, file } => import(ctx, &name, &file),
    }
}

fn add(ctx: &Ctx, name: &str, recover: bool) -> anyhow::Result<()> {
    dcloud_crypto::keyring::validate_name(name)?;
    let existing = ctx.keyring_read()?;
    if existing.get(name).is_ok() {
        bail!("key {name:?} already exists (delete it first with `dcloud keys delete {name}`)");
    }
    let mnemonic = if recover {
        let m = if stdin_is_tty() {
            rpassword::prompt_password("Enter your BIP39 mnemonic: ")
                .context("cannot read the mnemonic")?
        } else {
            read_stdin_line("a BIP39 mnemonic")?
        };
        Some(m)
    } else {
        None
    };
    let kr = ctx.keyring_write(true)?;
    let (info, phrase) = kr.add(name, mnemonic.as_deref())?;
    let shown = if recover { None } else { Some(phrase.as_str()) };
    if ctx.output.is_json() {
        print_json(&KeyOut::new(&info, shown))?;
    } else {
        print_key_text(&info);
        if let Some(p) = shown {
            println!(
                "\n**Important** write this mnemonic phrase in a safe place.\nIt is the only way to recover your account if you ever forget your password.\n\n{p}"
            );
        }
    }
    Ok(())
}

fn list(ctx: &Ctx) -> anyhow::Result<()> {
    let keys = ctx.keyring_read()?.list()?;
    if ctx.output.is_json() {
        print_json(&keys.iter().map(|k| KeyOut::new(k, None)).collect::<Vec<_>>())?;
    } else if keys.is_empty() {
        eprintln!("no keys yet: create one with `dcloud keys add NAME`");
    } else {
        for k in &keys {
            print_key_text(k);
        }
    }
    Ok(())
}

fn show(ctx: &Ctx, name: &str, address: bool) -> anyhow::Result<()> {
    let k = ctx.key_info(name)?;
    if address {
        println!("{}", k.address);
    } else if ctx.output.is_json() {
        print_json(&KeyOut::new(&k, None))?;
    } else {
        print_key_text(&k);
    }
    Ok(())
}

fn delete(ctx: &Ctx, name: &str, yes: bool) -> anyhow::Result<()> {
    let k = ctx.key_info(name)?;
    if !yes {
        if !stdin_is_tty() {
            bail!("refusing to delete key {name:?} without confirmation: pass -y");
        }
        eprint!("Delete key {name:?} ({})? This cannot be undone [y/N]: ", k.address);
        let answer = read_stdin_line("an answer")?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            bail!("aborted");
        }
    }
    ctx.keyring_write(false)?.delete(&k.name).map_err(|e| ctx.key_error(e))?;
    if ctx.output.is_json() {
        print_json(&serde_json::json!({"deleted": k.name, "address": k.address}))?;
    } else {
        println!("key {:?} deleted", k.name);
    }
    Ok(())
}

fn export(ctx: &Ctx, name: &str) -> anyhow::Result<()> {
    let k = ctx.key_info(name)?;
    let kr = ctx.keyring_write(false)?;
    // Check the keyring passphrase before asking for the export one.
    kr.signing_key(&k.name).map_err(|e| ctx.key_error(e))?;
    let pass =
        read_passphrase(EXPORT_PASSPHRASE_ENV, "Passphrase to encrypt the exported key", true)?;
    let armored = kr.export(&k.name, &pass)?;
    if ctx.output.is_json() {
        print_json(&serde_json::json!({"name": k.name, "armor": armored}))?;
    } else {
        print!("{armored}");
        if !armored.ends_with('\n') {
            println!();
        }
    }
    Ok(())
}

fn import(ctx: &Ctx, name: &str, file: &Path) -> anyhow::Result<()> {
    let armored = if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .context("cannot read stdin")?;
        s
    } else {
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?
    };
    let pass = read_passphrase(EXPORT_PASSPHRASE_ENV, "Passphrase of the exported key", false)?;
    let kr = ctx.keyring_write(true)?;
    let info = kr.import(name, &armored, &pass)?;
    if ctx.output.is_json() {
        print_json(&KeyOut::new(&info, None))?;
    } else {
        print_key_text(&info);
    }
    Ok(())
}
