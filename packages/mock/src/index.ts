export {
  createMockServer,
  installMockFetch,
  type MockClock,
  type MockServer,
  type MockServerOptions,
} from './mock-server.js';
export {
  DEMO_PASSWORD,
  demoFirm,
  demoPeople,
  type Fetch,
  type Scenario,
  type ScenarioName,
  type ScenarioServerOptions,
  type ScenarioSetup,
  scenarioBuilders,
  scenarios,
} from './scenarios.js';
