// Starts `pitfall server` for Python files and restarts it when its
// settings change. Everything else (diagnostics, quick fixes, hover, file
// watching) is the language server's.

import * as vscode from "vscode";
import {
  Executable,
  LanguageClient,
  LanguageClientOptions,
  TransportKind,
} from "vscode-languageclient/node";

import { resolveBinary } from "./binary";

let client: LanguageClient | undefined;

function serverExecutable(): Executable {
  const config = vscode.workspace.getConfiguration("pitfall");
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const command = resolveBinary(config.get<string>("path", "pitfall"), folder);
  const args = ["server", ...config.get<string[]>("args", [])];
  return { command, args, transport: TransportKind.stdio, options: { cwd: folder } };
}

async function start(): Promise<void> {
  const server = serverExecutable();
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "python" },
    ],
    // Shown under Output > pitfall; `pitfall.trace.server` adds the messages.
    outputChannelName: "pitfall",
  };
  client = new LanguageClient("pitfall", "pitfall", server, clientOptions);
  try {
    await client.start();
  } catch (error) {
    void vscode.window.showErrorMessage(
      `pitfall: could not start \`${server.command} server\` (${String(error)}). ` +
        "Install pitfall or set `pitfall.path`.",
    );
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined) {
    await running.stop();
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("pitfall.restart", async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("pitfall.path") || event.affectsConfiguration("pitfall.args")) {
        await stop();
        await start();
      }
    }),
  );
  await start();
}

export function deactivate(): Promise<void> {
  return stop();
}
