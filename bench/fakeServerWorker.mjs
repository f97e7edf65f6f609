// Worker entry: registers tsx in this thread first, then loads the TypeScript fake server.
import { register } from "tsx/esm/api";

register();
await import("./fakeServer.ts");
