//! `hoclieu report`: the coverage matrix of target groups × domains, per language, in
//! lessons and minutes — on the terminal, and as CSV and JSON files for the Department.

use super::{EXIT_CONTENT, EXIT_OK};
use crate::diag::print_human;
use crate::msg;
use crate::site::taxonomy::Coverage;
use crate::Error;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

pub fn run(args: ReportArgs) -> Result<i32, Error> {
    let site = match crate::pipeline::linked(&args.root, false)? {
        Ok(site) => site,
        Err(diagnostics) => {
            print_human(&mut std::io::stderr().lock(), &args.root, &diagnostics).ok();
            return Ok(EXIT_CONTENT);
        }
    };
    let coverage = Coverage::of(&site);
    for (l, language) in coverage.languages.iter().enumerate() {
        println!("{}", msg!("report.heading", language));
        println!("{:<18} {}", "", coverage.domains.iter().map(|d| format!("{:>18}", short(d))).collect::<String>());
        for (g, group) in coverage.groups.iter().enumerate() {
            let cells: String = coverage.cells[l][g]
                .iter()
                .map(|cell| match cell {
                    None => format!("{:>18}", "-"),
                    Some(c) if c.lessons == 0 => format!("{:>18}", "GAP"),
                    Some(c) => format!("{:>18}", format!("{}/{}", c.lessons, c.minutes)),
                })
                .collect();
            println!("{:<18} {cells}", short(group));
        }
        println!();
    }
    if let Some(path) = &args.csv {
        let mut csv = String::from("language,group,domain,lessons,minutes,gap\n");
        for (l, language) in coverage.languages.iter().enumerate() {
            for (g, group) in coverage.groups.iter().enumerate() {
                for (d, domain) in coverage.domains.iter().enumerate() {
                    if let Some(c) = coverage.cells[l][g][d] {
                        csv.push_str(&format!(
                            "{language},{group},{domain},{},{},{}\n",
                            c.lessons,
                            c.minutes,
                            c.lessons == 0
                        ));
                    }
                }
            }
        }
        crate::fs::write(path, csv.as_bytes())?;
    }
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&coverage).map_err(|e| Error::Usage(e.to_string()))?;
        crate::fs::write(path, json.as_bytes())?;
    }
    Ok(EXIT_OK)
}

fn short(id: &str) -> String {
    id.chars().take(17).collect()
}
