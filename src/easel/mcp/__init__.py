"""Easel as an MCP server: tools in `server`, served over streamable HTTP at ``/mcp``
(`http`) and over stdio by ``easel mcp`` (`stdio`)."""
