import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './local-process';

/** TypeScript entry (as the desired state names it) -> the bundled JavaScript file that runs it. */
export type EntryBundles = ReadonlyMap<string, string>;

/** A source that says where it is (import.meta.url) keeps saying so from inside a bundle. */
const IMPORT_META_URL = 'import.meta.url';

/**
 * Bundles TypeScript entries once, before their processes start, so each process loads one JavaScript file with
 * Node's own loader instead of resolving and transforming every module through tsx's loader thread: an app's boot
 * costs about a third of the CPU (the embedded cluster starts eight at once on two cores). Packages stay external
 * (node_modules, loaded as usual); dynamic imports stay separate chunks, so what an app loads only when configured
 * (kafkajs, bullmq) is still not loaded otherwise. Each source's `import.meta.url` is replaced by its own file URL,
 * so paths it resolves from there (the project root, the dashboard's web folder) are the same as under tsx.
 *
 * `outDir` must be inside the project (node_modules is resolved from the bundle's folder). Resolves with an empty
 * map when esbuild is not installed or the build fails (`onProblem` says why): the entries then run under tsx.
 */
export async function bundleEntries(
  entries: readonly string[],
  outDir: string,
  onProblem: (text: string) => void,
): Promise<EntryBundles> {
  if (entries.length === 0) return new Map();
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    onProblem(`esbuild not available, entries run under tsx: ${(error as Error).message}`);
    return new Map();
  }
  const names = new Map(
    entries.map((entry, i) => [entry, `${i}-${path.basename(path.dirname(path.dirname(entry)))}`]),
  );
  try {
    await esbuild.build({
      entryPoints: Object.fromEntries(
        [...names].map(([entry, name]) => [name, path.resolve(PROJECT_ROOT, entry)]),
      ),
      outdir: outDir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      tsconfig: path.join(PROJECT_ROOT, 'tsconfig.json'),
      logLevel: 'silent',
      plugins: [keepImportMetaUrl],
    });
  } catch (error) {
    onProblem(`bundling failed, entries run under tsx: ${(error as Error).message.split('\n')[0]}`);
    return new Map();
  }
  return new Map([...names].map(([entry, name]) => [entry, path.join(outDir, `${name}.js`)]));
}

/** Replaces `import.meta.url` in the project's own TypeScript sources by the source file's URL. */
const keepImportMetaUrl: import('esbuild').Plugin = {
  name: 'keep-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const text = await fs.promises.readFile(args.path, 'utf8');
      if (!text.includes(IMPORT_META_URL)) return { contents: text, loader: 'ts' };
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: text.replaceAll(IMPORT_META_URL, url), loader: 'ts' };
    });
  },
};
