// Azure Cosmos DB for MongoDB (vCore): a MongoDB 7.0 cluster. Backups are automatic (point-in-time
// restore within the service's retention window); there is no backup policy to set on vCore.

param location string

@description('3-40 lower-case letters, digits and dashes; the host becomes <name>.mongocluster.cosmos.azure.com.')
param name string

param tags object

param administratorUserName string = 'azshop'

@secure()
@description('The cluster administrator\'s password; MONGO_DB (in Key Vault) carries it.')
param administratorPassword string

@description('Compute tier (M30 and up are meant for production).')
param computeTier string = 'M30'

param storageSizeGb int = 128

@description('Whether the cluster keeps a standby in another zone.')
@allowed([
  'Disabled'
  'SameZone'
  'ZoneRedundantPreferred'
])
param highAvailability string = 'ZoneRedundantPreferred'

resource cluster 'Microsoft.DocumentDB/mongoClusters@2024-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    administrator: {
      userName: administratorUserName
      password: administratorPassword
    }
    serverVersion: '7.0'
    compute: {
      tier: computeTier
    }
    storage: {
      sizeGb: storageSizeGb
    }
    sharding: {
      shardCount: 1
    }
    highAvailability: {
      targetMode: highAvailability
    }
    publicNetworkAccess: 'Enabled'
  }
}

// 0.0.0.0 to 0.0.0.0 admits Azure's own addresses (the cluster's egress among them). The runbook
// says how to narrow it to the cluster's outbound IP, or to move to a private endpoint.
resource azureAddresses 'Microsoft.DocumentDB/mongoClusters/firewallRules@2024-07-01' = {
  parent: cluster
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

output id string = cluster.id
output name string = cluster.name
@description('The connection string without the password: the runbook fills it in and stores it as MONGO_DB.')
output connectionStringTemplate string = cluster.properties.connectionString
