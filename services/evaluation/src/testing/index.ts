// Test doubles for the evaluation service (importable as @grokwatch/evaluation/testing).
export { CharModel, type CharModelOptions } from './char-model.js';
export { ScriptedModel, lastGsm8kQuestion, type Script, type ScriptedModelOptions } from './scripted-model.js';
