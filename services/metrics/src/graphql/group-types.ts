// GraphQL shapes of test groups and group pairings (method.md 6).
import { DateTimeISOResolver } from 'graphql-scalars';
import { ArgsType, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { PairingResult } from '../groups/group-pairing.js';
import type { StoredPairing, TestItem } from '../groups/group-store.js';
import type { TestGroupsView } from '../queries/groups-query.js';

@ArgsType()
export class TestItemArgs {
  @Field(() => Int, { nullable: true, description: 'Items of the Test@t group at this step.' }) step?: number | null;
  @Field(() => Boolean, { nullable: true, description: 'true: kept items that never generalize.' }) never?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: 'true: the items the contamination filter dropped; false: the kept ones.' }) contaminated?: boolean | null;
  @Field(() => Int, { defaultValue: 0 }) offset!: number;
  @Field(() => Int, { defaultValue: 100 }) limit!: number;
}

@ObjectType('StepGroup', { description: 'A group of samples or test items that something happened to at one step: Pretrain@t (memorized) or Test@t (generalized).' })
export class StepGroupType {
  @Field({ description: 'e.g. Pretrain@150, Test@1350.' }) label!: string;
  @Field(() => Int, { description: 'The step t.' }) step!: number;
  @Field(() => Int, { description: 'Members.' }) size!: number;
}

@ObjectType('Contamination', { description: "The Min-K%++ contamination filter of a task's test groups (method.md 6)." })
export class ContaminationType {
  @Field({ description: 'The run asks for it (settings.contaminationFilter).' }) applied!: boolean;
  @Field(() => Float, { description: 'Fraction of the scored items dropped (highest scores first).' }) fraction!: number;
  @Field(() => Int, { description: 'Items dropped.' }) dropped!: number;
  @Field(() => Int, { description: "Items without a Min-K%++ score (kept: they cannot be ranked; backends without the model's internals give none)." }) unscored!: number;
  @Field(() => Float, { nullable: true, description: 'Lowest score dropped; null when none was.' }) threshold!: number | null;
  @Field(() => Int, { nullable: true, description: 'Step of the checkpoint whose Min-K%++ scores were ranked (the last evaluated); null without scores.' }) scoreStep!:
    | number
    | null;
}

@ObjectType('TestItem', { description: 'A test item of a task with the step it generalizes from.' })
export class TestItemType {
  @Field(() => Int, { description: "Position in the task's dataset." }) docIndex!: number;
  @Field({ description: "The document's id." }) docId!: string;
  @Field(() => String, { nullable: true, description: "The task's data group." }) group!: string | null;
  @Field(() => Int, { nullable: true, description: 't#: the step from which it stays correct; null when it never does.' }) generalizedStep!: number | null;
  @Field(() => Float, { nullable: true, description: 'Min-K%++ at the score checkpoint (high: likely seen in training).' }) minKPlusPlus!: number | null;
  @Field({ description: 'Dropped by the contamination filter.' }) contaminated!: boolean;
}

@ObjectType('TestGroups', { description: "A task's test groups Test@t over the run's evaluated checkpoints (method.md 6), computed by the pipeline when evaluations complete." })
export class TestGroupsType {
  /** For the items field resolver; not in the schema. */
  runId!: string;
  @Field({ description: 'The benchmark task.' }) task!: string;
  @Field({ description: 'The item score read as correct (>= 0.5) or not.' }) scoreMetric!: string;
  @Field(() => [Int], { description: 'Steps of the evaluated checkpoints, ascending.' }) steps!: number[];
  @Field(() => Int, { description: "The run's checkpoints when computed; more than steps while evaluations are outstanding." }) expectedCheckpoints!: number;
  @Field({ description: 'Evaluations are outstanding: t# may still move.' }) partial!: boolean;
  @Field(() => Int, { description: 'Items evaluated at every one of the steps.' }) items!: number;
  @Field(() => Int, { description: 'Kept items that generalize.' }) generalized!: number;
  @Field(() => Int, { description: 'Kept items that never generalize over these steps.' }) neverGeneralized!: number;
  @Field(() => [StepGroupType], { description: 'Test@t groups of the kept items, ascending step.' }) groups!: StepGroupType[];
  @Field(() => ContaminationType, { description: 'The contamination filter and what it dropped.' }) contamination!: ContaminationType;
  @Field(() => DateTimeISOResolver, { description: 'When the pipeline computed them.' }) computedAt!: Date;
}

@ObjectType('GroupMetricPoint', { description: "A training group's pathway metrics at one checkpoint between its memorization and its test group's generalization." })
export class GroupMetricPointType {
  @Field(() => Int, { description: "The checkpoint's step." }) step!: number;
  @Field(() => Float, { nullable: true, description: 'Mean pathway distance within the group.' }) distance!: number | null;
  @Field(() => Float, { nullable: true, description: 'Pathway consistency (null without router matrices).' }) consistency!: number | null;
  @Field(() => Float, { nullable: true, description: "The bound's complexity term." }) complexity!: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean training NLL of the group (of the target span when the samples mark one).' }) meanNll!: number | null;
}

@ObjectType('GroupPair', { description: 'A training group paired with the test group most similar to it.' })
export class GroupPairType {
  @Field(() => StepGroupType, { description: 'The training group Pretrain@t.' }) train!: StepGroupType;
  @Field(() => StepGroupType, { description: 'The test group Test@t.' }) test!: StepGroupType;
  @Field(() => Int, { description: 'test.step - train.step.' }) lag!: number;
  @Field(() => Float, { description: "Average cosine similarity between the groups' embeddings." }) similarity!: number;
  @Field(() => [GroupMetricPointType], { description: "The training group's metrics at each checkpoint from train.step to test.step." }) metrics!: GroupMetricPointType[];
}

@ObjectType('PairingEmbedding', { description: 'What the samples and test items were embedded with.' })
export class PairingEmbeddingType {
  @Field({ description: "capture: the model's mean final hidden state; model: a sentence-embedding model." }) source!: string;
  @Field(() => String, { nullable: true, description: 'The sentence-embedding model folder.' }) model!: string | null;
  @Field(() => Int, { nullable: true, description: 'The checkpoint whose hidden states were used (capture).' }) step!: number | null;
}

@ObjectType('DataGroupTiming', { description: "When a data group (the rows' group, e.g. add, sub) memorized and generalized: medians over its samples and its kept test items." })
export class DataGroupTimingType {
  @Field({ description: 'The data group.' }) group!: string;
  @Field(() => Int, { description: 'Its training samples.' }) samples!: number;
  @Field(() => Int, { description: 'Of those, memorized.' }) memorized!: number;
  @Field(() => Float, { nullable: true, description: 'Median memorization step of its memorized samples.' }) memorizedStep!: number | null;
  @Field(() => Int, { description: 'Its kept test items.' }) items!: number;
  @Field(() => Int, { description: 'Of those, generalizing.' }) generalized!: number;
  @Field(() => Float, { nullable: true, description: 'Median t# of its generalizing test items.' }) generalizedStep!: number | null;
}

@ObjectType('GroupPairing', { description: "A probe set's training groups paired with its domain's test groups, with lags (method.md 6), computed by the pipeline." })
export class GroupPairingType {
  @Field(() => ID, { description: 'The training probe set.' }) probeSetId!: string;
  @Field({ description: 'Its name.' }) probeSetName!: string;
  @Field({ description: 'Its domain.' }) domain!: string;
  @Field(() => [String], { description: "The domain's tasks whose test items were grouped." }) tasks!: string[];
  @Field(() => PairingEmbeddingType, { description: 'What the groups were embedded with.' }) embedding!: PairingEmbeddingType;
  @Field(() => Float, { description: 'The pathway threshold of the metric curves.' }) threshold!: number;
  @Field(() => Float, { description: 'The memorization threshold eps (calibrated).' }) eps!: number;
  @Field(() => [StepGroupType], { description: 'Pretrain@t groups.' }) trainGroups!: StepGroupType[];
  @Field(() => [StepGroupType], { description: "Test@t groups across the domain's tasks." }) testGroups!: StepGroupType[];
  /** Every pair; the pairs field resolver pages them. */
  allPairs!: GroupPairType[];
  @Field(() => [DataGroupTimingType], { description: 'Per data group, when its samples memorized and its test items generalized (medians).' }) dataGroups!: DataGroupTimingType[];
  @Field(() => [String], { description: 'Training groups left without a partner.' }) unpairedTrain!: string[];
  @Field(() => [String], { description: 'Test groups left without a partner.' }) unpairedTest!: string[];
  @Field({ description: 'Every training group memorizes at one step and every test group generalizes at one step: nothing asynchronous to show.' }) together!: boolean;
  @Field({ description: 'What the pairing shows, or why it is empty.' }) note!: string;
  @Field({ description: 'Captures or evaluations are outstanding.' }) partial!: boolean;
  @Field(() => DateTimeISOResolver, { description: 'When the pipeline computed it.' }) computedAt!: Date;
}

export function toTestGroups(runId: string, v: TestGroupsView): TestGroupsType {
  return { runId, ...v, contamination: { ...v.contamination } };
}

export function toTestItem(r: TestItem): TestItemType {
  return {
    docIndex: r.doc_index,
    docId: r.doc_id,
    group: r.group_name,
    generalizedStep: r.generalized_step === null ? null : Number(r.generalized_step),
    minKPlusPlus: r.min_k_pp,
    contaminated: r.contaminated,
  };
}

export function toGroupPairing(p: StoredPairing): GroupPairingType {
  const r: PairingResult = p.result;
  return {
    probeSetId: r.probeSetId,
    probeSetName: r.probeSetName,
    domain: r.domain,
    tasks: r.tasks,
    embedding: { ...r.embedding },
    threshold: r.params.threshold,
    eps: r.memorization.eps,
    trainGroups: r.trainGroups,
    testGroups: r.testGroups,
    allPairs: r.pairs,
    dataGroups: r.dataGroups ?? [],
    unpairedTrain: r.unpairedTrain,
    unpairedTest: r.unpairedTest,
    together: r.together,
    note: r.note,
    partial: r.partial,
    computedAt: p.computed_at,
  };
}
