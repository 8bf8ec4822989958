export { examplePlanInput } from './example';
