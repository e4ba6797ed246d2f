//! `lab-1 machine up|down|status|shell`。`scripts/lab-machine.sh`もここを呼びます。

use std::os::unix::process::CommandExt;

use clap::Subcommand;
use lab_1::machine;

use super::LEAF_TEMPLATE;

#[derive(Debug, Subcommand)]
pub enum MachineAction {
    /// ラボマシンを起動します（起動済みなら何もしません）。
    #[command(override_usage = "lab-1 machine up", help_template = LEAF_TEMPLATE, next_help_heading = "オプション")]
    Up,
    /// ラボマシンを止めます（止まっていれば何もしません）。
    #[command(override_usage = "lab-1 machine down", help_template = LEAF_TEMPLATE, next_help_heading = "オプション")]
    Down,
    /// ラボマシンの状態を表示します。
    #[command(override_usage = "lab-1 machine status", help_template = LEAF_TEMPLATE, next_help_heading = "オプション")]
    Status,
    /// ラボマシンの中でシェル（またはコマンド）を実行します。
    #[command(override_usage = "lab-1 machine shell [コマンド [引数]...]", help_template = LEAF_TEMPLATE, next_help_heading = "オプション")]
    Shell {
        /// 実行するコマンドと引数（省略するとログインシェル）。
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "コマンド",
            help_heading = "引数"
        )]
        command: Vec<String>,
    },
}

pub fn run(action: MachineAction) -> anyhow::Result<()> {
    match action {
        MachineAction::Up => {
            let (running, booted) = machine::up()?;
            let verb = if booted {
                "起動しました"
            } else {
                "すでに起動しています"
            };
            println!(
                "ラボマシンを{verb}（systemd-nspawnのPID {}、コンテナのPID 1はホストのPID {}）。",
                running.nspawn_pid, running.leader_pid
            );
            println!("システムバス: {}", running.bus_address());
        }
        MachineAction::Down => {
            let stopped = machine::down()?;
            println!(
                "{}",
                if stopped {
                    "ラボマシンを止めました。"
                } else {
                    "ラボマシンは起動していません。"
                }
            );
        }
        MachineAction::Status => match machine::status()? {
            Some((running, state)) => {
                let state = match state.as_str() {
                    "" => "不明（systemctl is-system-runningが何も出力しませんでした）",
                    state => state,
                };
                println!(
                    "ラボマシンは起動しています（systemd-nspawnのPID {}、systemdの状態: {state}）。",
                    running.nspawn_pid
                );
                println!("システムバス: {}", running.bus_address());
            }
            None => println!("ラボマシンは起動していません。"),
        },
        MachineAction::Shell { command } => {
            machine::require_root("scripts/lab-machine.sh shell")?;
            let running = machine::status()?
                .ok_or(machine::MachineError::NotRunning)?
                .0;
            let (program, args) = match command.split_first() {
                Some((program, args)) => (program.as_str(), args.to_vec()),
                None => ("/bin/bash", vec!["-l".to_owned()]),
            };
            let error = running.command(program).args(args).exec();
            anyhow::bail!("nsenterを実行できませんでした: {error}");
        }
    }
    Ok(())
}
