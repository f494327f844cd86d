-- pitfall as a custom server for nvim-lspconfig (Neovim 0.8 to 0.10, or any
-- setup that already uses lspconfig). Source it from your init.lua, e.g.
--   dofile('/path/to/pitfall/editors/nvim/lspconfig.lua')
-- or copy its contents there.
local configs = require('lspconfig.configs')
local util = require('lspconfig.util')

if not configs.pitfall then
  configs.pitfall = {
    default_config = {
      cmd = { 'pitfall', 'server' },
      filetypes = { 'python' },
      root_dir = util.root_pattern('pyproject.toml', 'pitfall.toml', 'setup.py', 'setup.cfg', '.git'),
      single_file_support = true,
    },
    docs = {
      description = 'pitfall: Python pitfalls, across modules (`pitfall server`).',
    },
  }
end

require('lspconfig').pitfall.setup({})
