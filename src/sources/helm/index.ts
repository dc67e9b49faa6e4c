export { findHelm, type HelmLocation } from './binary.js';
export { parseRenderedManifest, templatePath } from './manifest.js';
export { createChartPort, displayCommand, helmErrorLine, helmTemplateArgs, renderChart, type HelmValuesFlags, type RenderOptions } from './render.js';
