/** Vite's `?url` imports: the public URL of the emitted file (https://vite.dev/guide/assets#explicit-url-imports). */
declare module '*?url' {
  const url: string;
  export default url;
}
