/** The harness's request kinds. */
export type OutputType = 'generate_until' | 'multiple_choice' | 'loglikelihood' | 'loglikelihood_rolling';
export const OUTPUT_TYPES: readonly OutputType[] = ['generate_until', 'multiple_choice', 'loglikelihood', 'loglikelihood_rolling'];
