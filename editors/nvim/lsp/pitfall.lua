-- pitfall's language server for Neovim 0.11+ (`vim.lsp.config`).
-- Put this file on your runtimepath as `lsp/pitfall.lua` (for example
-- ~/.config/nvim/lsp/pitfall.lua) and call `vim.lsp.enable('pitfall')`.
return {
  cmd = { 'pitfall', 'server' },
  filetypes = { 'python' },
  -- The project root: the server loads every Python file below it, so that
  -- call chains across modules are seen.
  root_markers = { 'pyproject.toml', 'pitfall.toml', 'setup.py', 'setup.cfg', '.git' },
  -- Watching files lets the server see configuration and modules changed
  -- outside Neovim (it registers the watchers itself).
  capabilities = {
    workspace = { didChangeWatchedFiles = { dynamicRegistration = true } },
  },
}
