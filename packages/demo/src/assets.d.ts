// Vite asset imports used by the demo (`?url` gives the built file's URL).
declare module '*.css?url' {
  const url: string;
  export default url;
}
