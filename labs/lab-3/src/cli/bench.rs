//! `lab-3 bench` です。計測して、Markdown の表を標準出力か --out のディレクトリに書きます。

use anyhow::Context;

use lab_3::bench::{self, Machine, NodeSqlite, Plan};

use super::args::BenchArgs;

pub fn bench_command(args: &BenchArgs) -> anyhow::Result<()> {
    let node = match (&args.node, &args.node_script) {
        (Some(node), Some(script)) => Some(NodeSqlite::new(node.clone(), script.clone())?),
        _ => None,
    };
    let plan = Plan {
        dir: args.dir.clone(),
        autocommit_rows: args.autocommit_rows,
        batched_rows: args.batched_rows,
        repeats: args.repeats,
        node,
    };
    std::fs::create_dir_all(&plan.dir)
        .with_context(|| format!("`{}` を作れません", plan.dir.display()))?;
    let machine = Machine::detect(&plan.dir);
    eprintln!(
        "計測しています: {} (ファイルシステム: {})",
        plan.dir.display(),
        machine.filesystem
    );

    let results = bench::run(&plan)?;
    let _ = std::fs::remove_dir(&plan.dir);
    let node_version = plan.node.as_ref().map(|n| n.version.as_str());
    let markdown = bench::render_markdown(&machine, node_version, plan.repeats, &results);
    let node_markdown = match &plan.node {
        Some(node) => Some(bench::render_node_markdown(
            &node.version,
            &node.info()?,
            &results,
        )),
        None => None,
    };

    // --out がなければ標準出力に、あればディレクトリに 1 表 1 ファイルで書きます。
    let Some(dir) = &args.out else {
        print!("{markdown}");
        if let Some(text) = &node_markdown {
            print!("\n{text}");
        }
        return Ok(());
    };
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("`{}` に書けません", path.display()))
    };
    write("bench.md", &markdown)?;
    if let Some(text) = &node_markdown {
        write("node-sqlite.md", text)?;
    }
    Ok(())
}
