// Process entry of the do-nothing gRPC server the benchmark uses as the floor under GetVersion.
import { serveEcho } from './echo';

serveEcho();
