// The journey engine, for the benchmark that drives it directly (bench/journeys); services never import each other.
export { advance, initialState, simulate } from './journeys/journey-engine';
export { validateJourney, type JourneyDefinition } from './journeys/journey-definition';
