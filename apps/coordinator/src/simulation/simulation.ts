import { intentCatalogueSchema, permissionsSchema } from '@onevoice/contracts';
import {
  compilePolicy,
  compileProfilerConfig,
  compileSurveyPolicy,
  policyConfigSchema,
  profilerConfigSchema,
  surveyPolicyConfigSchema,
} from '@onevoice/policy';
import { loadConfigFile } from '@onevoice/runtime';
import { CustomerWorld, type GateSetup, type SimulationSetup } from './customer-world';
import { naiveOutcome } from './naive-baseline';
import { Population, populationSchema } from './population';
import { expectationsOf, Tally, type SimulationReport } from './report';

/** Where a simulation reads its configuration: the files the services read, and the population. */
export interface SimulationFiles {
  policy: string;
  catalogue: string;
  permissions: string;
  profiler: string;
  surveys: string;
  population: string;
}

export const DEFAULT_FILES: SimulationFiles = {
  policy: 'config/policy.yaml',
  catalogue: 'config/intent-catalogue.yaml',
  permissions: 'config/permissions.yaml',
  profiler: 'config/profiler.yaml',
  surveys: 'config/survey-policy.yaml',
  population: 'config/population.yaml',
};

/**
 * Loads and validates every file (a bad one fails with its field named). The population's
 * markets are the policy's time zones: the first is the default market (OV_DEFAULT_TIME_ZONE),
 * all are OV_MARKET_TIME_ZONES.
 */
export function loadSetup(files: SimulationFiles, seed: number, days: number): SimulationSetup {
  const populationConfig = loadConfigFile(files.population, populationSchema);
  const population = new Population(populationConfig, seed, days);
  const markets = population.markets;
  return { ...loadGate(files, { default: markets[0]!, markets }), population };
}

/** The gate's configuration from its files, in the markets given. */
export function loadGate(
  files: Omit<SimulationFiles, 'population'>,
  timeZones: GateSetup['policy']['timeZones'],
): GateSetup {
  return {
    policy: { ...compilePolicy(loadConfigFile(files.policy, policyConfigSchema)), timeZones },
    catalogue: loadConfigFile(files.catalogue, intentCatalogueSchema),
    permissions: loadConfigFile(files.permissions, permissionsSchema),
    profiler: compileProfilerConfig(loadConfigFile(files.profiler, profilerConfigSchema)),
    surveys: compileSurveyPolicy(loadConfigFile(files.surveys, surveyPolicyConfigSchema)),
  };
}

/**
 * Runs `customers` customers through OneVoice and through the naive baseline, one customer at a
 * time (customers never share state in the gate, so memory stays that of one customer's period
 * plus the figures), and returns the report. `progress` is told after each customer.
 */
export function simulate(
  setup: SimulationSetup,
  customers: number,
  progress?: (done: number, events: number) => void,
): SimulationReport {
  const { population } = setup;
  const period = {
    start: population.start,
    end: population.end,
    seed: population.seed,
    truth: population.config,
  };
  const tally = new Tally(expectationsOf(setup.population.config), setup.population.days);
  let events = 0;
  for (let i = 0; i < customers; i++) {
    const customer = setup.population.customer(i);
    const stream = setup.population.eventsOf(customer);
    events += stream.length;
    const onevoice = new CustomerWorld(setup, customer, period).run(stream);
    tally.add(onevoice, naiveOutcome(setup, customer, stream, population.end));
    progress?.(i + 1, events);
  }
  return tally.summary({ seed: setup.population.seed });
}
