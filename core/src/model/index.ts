/**
 * `@opsloom/core/model`: the flow graph contract shared by the portal's editor and the engine.
 * Dependency-free TypeScript (no Node built-ins), safe to bundle for the browser.
 */
export type {
  ActivityBase, ActivityNode, ConditionalParallelGateway, ConvergeGateway, EndNode, ErrorPolicy,
  ExclusiveGateway, FlowCondition, FlowEdge, FlowGraph, FlowNode, ForkGatewayType, GatewayNode, InputValue,
  JsonValue, LoopSettings, NodeBase, NodeType, ParallelGateway, Position, RenderableInput, SplitGatewayType,
  StartNode, SubflowNode, TaskNode, VariableDef, VariableOption, VariableType,
} from './graph.js';
export { isActivity, isConditionalGateway, isForkGateway, isRenderableInput, NODE_TYPES, normalizeInput } from './graph.js';
export type { GraphError, GraphRule } from './errors.js';
export { FlowModelError, InvalidGraphError, NodeNotOptionalError, UnknownNodeError } from './errors.js';
export type { GraphAnalysis, ValidateOptions, ValidationResult } from './validate.js';
export { analyzeGraph, matchConverges, validateGraph } from './validate.js';
export { checkSubflowContract } from './validate-subflow.js';
export { excludeOptionalNodes } from './exclude.js';
export type { ExpressionSite } from './expression-sites.js';
export { constantsRead, forEachExpressionSite } from './expression-sites.js';
export type { ExpressionReference, ExtractedReferences } from './references.js';
export { extractReferences, forEachString } from './references.js';
export type { ExpressionVariables } from './identifiers.js';
export { expressionVariables, JAVASCRIPT_GLOBALS } from './identifiers.js';
export type { ParsedTemplate, TemplatePart } from './template-syntax.js';
export { conditionToExpression, hasExpressions, parseTemplate } from './template-syntax.js';
export { isVariableType, VARIABLE_TYPES } from './variable-types.js';
export { variableValueProblem } from './variable-values.js';
export {
  isBuiltinVariable, PROJECT_CONSTANT_PREFIX, RESERVED_OUTPUTS, SYSTEM_VARIABLE, variableKeyProblem,
} from './variable-keys.js';
