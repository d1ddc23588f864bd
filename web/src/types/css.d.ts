// esbuild bundles CSS imported by the client entry into its own content-hashed file.
declare module '*.css';
