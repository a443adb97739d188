// Vite config: the console is a static single page served by `dcloud console` (which proxies
// /api to the node). `npm run dev` proxies /api to a running console ($CONSOLE, default :8800).
import { defineConfig } from "vite";

declare const process: { env: Record<string, string | undefined> };

export default defineConfig({
  build: { target: "es2022", chunkSizeWarningLimit: 900 },
  server: { proxy: { "/api": process.env.CONSOLE ?? "http://127.0.0.1:8800" } },
  preview: { proxy: { "/api": process.env.CONSOLE ?? "http://127.0.0.1:8800" } },
  test: { include: ["tests/unit/**/*.test.ts"] },
} as any);
