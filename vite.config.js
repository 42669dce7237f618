// SimpleStore's storefront islands: one entry per widget, built into static/dist/ with a
// manifest that store/storefront/assets.py reads. Vue's runtime-only build: the plugin
// compiles every .vue template ahead of time, so the pages need no 'unsafe-eval'.
import { fileURLToPath } from "node:url";
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

const entries = ["search", "variant-picker", "add-to-cart", "cart", "checkout"];

export default defineConfig({
  plugins: [vue()],
  // Served by Flask under /static/dist/ (the manifest's paths are relative to it).
  base: "/static/dist/",
  publicDir: false,
  resolve: {
    alias: { vue: "vue/dist/vue.runtime.esm-bundler.js" },
  },
  define: {
    __VUE_OPTIONS_API__: "false",
    __VUE_PROD_DEVTOOLS__: "false",
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "false",
  },
  build: {
    outDir: "static/dist",
    emptyOutDir: true,
    manifest: true,
    target: "es2020",
    rollupOptions: {
      input: Object.fromEntries(
        entries.map((name) => [name, fileURLToPath(new URL(`frontend/${name}.js`, import.meta.url))]),
      ),
      // Vue itself in one shared chunk that every island's page preloads.
      output: {
        manualChunks: (id) => (id.includes("node_modules") ? "vue" : undefined),
      },
    },
  },
});
